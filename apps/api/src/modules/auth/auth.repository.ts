import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AgentRole } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';

export const tokenHash = (token: string) => createHash('sha256').update(token).digest();
/** A session's id: the hex of its token's hash (names its sockets' room; the token never leaves the request). */
export const sessionId = (token: string) => tokenHash(token).toString('hex');

/** How a session was opened and from where (the agent's session list shows it). */
export interface SessionMeta {
  userAgent?: string;
  ip?: string;
  oidc?: { providerId: string; idToken: string };
}

export interface SessionRow {
  public_id: string;
  id: string;
  method: 'password' | 'oidc';
  provider: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

interface AgentRow {
  id: string;
  organization_id: string;
  role: AgentRole;
  name: string;
  email: string;
  team_ids: string[];
  platform_admin: boolean;
}

const toAuthAgent = (r: AgentRow): AuthAgent => ({
  id: r.id,
  organizationId: r.organization_id,
  role: r.role,
  name: r.name,
  email: r.email,
  teamIds: r.team_ids,
  platformAdmin: r.platform_admin,
});

@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  /** `archivedOrganization`: the name of the agent's town when the platform archived it (no sign-in then). */
  async findForLogin(email: string): Promise<(AuthAgent & { passwordHash: string; archivedOrganization: string | null }) | null> {
    const [row] = await this.db.query<AgentRow & { password_hash: string; archived_organization: string | null }>(
      `SELECT a.id, a.organization_id, a.role, a.name, a.email, a.platform_admin, a.password_hash,
              (SELECT o.name FROM organization o WHERE o.id = a.organization_id AND o.archived_at IS NOT NULL) AS archived_organization,
              array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent a WHERE a.email = $1 AND a.active`,
      [email.toLowerCase()],
    );
    return row ? { ...toAuthAgent(row), passwordHash: row.password_hash, archivedOrganization: row.archived_organization } : null;
  }

  /** A new session: when it expires, and its public id (the audit's and the session list's). */
  async createSession(
    agentId: string,
    token: string,
    ttlHours: number,
    meta: SessionMeta = {},
  ): Promise<{ expiresAt: Date; publicId: string }> {
    const [row] = await this.db.query<{ expires_at: Date; public_id: string }>(
      `INSERT INTO agent_session (token_hash, agent_id, expires_at, method, oidc_provider_id, id_token, user_agent, ip)
       VALUES ($1, $2, now() + make_interval(hours => $3), $4, $5, $6, $7, $8)
       RETURNING expires_at, public_id`,
      [
        tokenHash(token),
        agentId,
        ttlHours,
        meta.oidc ? 'oidc' : 'password',
        meta.oidc?.providerId ?? null,
        meta.oidc?.idToken ?? null,
        meta.userAgent?.slice(0, 300) ?? null,
        meta.ip?.slice(0, 64) ?? null,
      ],
    );
    return { expiresAt: row!.expires_at, publicId: row!.public_id };
  }

  /** The agent of a live session (not expired, agent active, town not archived), as they are now, with the session. */
  async findBySession(id: string): Promise<(AuthAgent & { lastSeenAt: Date }) | null> {
    const [row] = await this.db.query<AgentRow & { expires_at: Date; last_seen_at: Date; public_id: string }>(
      `SELECT a.id, a.organization_id, a.role, a.name, a.email, a.platform_admin, s.expires_at, s.last_seen_at, s.public_id,
              array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent_session s JOIN agent a ON a.id = s.agent_id
        WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() AND a.active
          AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = a.organization_id AND o.archived_at IS NOT NULL)`,
      [id],
    );
    return row
      ? { ...toAuthAgent(row), session: { id, expiresAt: row.expires_at, publicId: row.public_id }, lastSeenAt: row.last_seen_at }
      : null;
  }

  /** The session was used now (the caller throttles: one write a minute at most per session). */
  async touchSession(id: string): Promise<void> {
    await this.db.query(`UPDATE agent_session SET last_seen_at = now() WHERE token_hash = decode($1, 'hex')`, [id]);
  }

  /** The agent's live sessions, most recently used first. */
  async listSessions(agentId: string): Promise<SessionRow[]> {
    return this.db.query<SessionRow>(
      `SELECT s.public_id, encode(s.token_hash, 'hex') AS id, s.method, p.label AS provider, s.user_agent, s.ip,
              s.created_at, s.last_seen_at, s.expires_at
         FROM agent_session s LEFT JOIN oidc_provider p ON p.id = s.oidc_provider_id
        WHERE s.agent_id = $1 AND s.expires_at > now()
        ORDER BY s.last_seen_at DESC, s.created_at DESC`,
      [agentId],
    );
  }

  /** Ends one of the agent's sessions by its public id; returns its id (hex of the token hash) if it existed. */
  async deleteSessionByPublicId(manager: EntityManager, agentId: string, publicId: string): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `DELETE FROM agent_session WHERE agent_id = $1 AND public_id = $2 RETURNING encode(token_hash, 'hex') AS id`,
      [agentId, publicId],
      manager,
    );
    return row?.id ?? null;
  }

  /** What the provider's logout needs of an OIDC session: its provider and the id_token to hint with. */
  async oidcOfSession(id: string): Promise<{ providerId: string; idToken: string } | null> {
    const [row] = await this.db.query<{ provider_id: string; id_token: string }>(
      `SELECT oidc_provider_id AS provider_id, id_token FROM agent_session
        WHERE token_hash = decode($1, 'hex') AND method = 'oidc' AND oidc_provider_id IS NOT NULL AND id_token IS NOT NULL`,
      [id],
    );
    return row ? { providerId: row.provider_id, idToken: row.id_token } : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.query(`DELETE FROM agent_session WHERE token_hash = decode($1, 'hex')`, [id]);
  }

  /** Ends every session of the agent but `exceptId`; returns how many ended. */
  async deleteSessions(manager: EntityManager, agentId: string, exceptId?: string): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM agent_session WHERE agent_id = $1 AND token_hash IS DISTINCT FROM decode($2, 'hex') RETURNING agent_id`,
      [agentId, exceptId ?? null],
      manager,
    );
    return rows.length;
  }

  async passwordHash(agentId: string): Promise<string | null> {
    const [row] = await this.db.query<{ password_hash: string }>(`SELECT password_hash FROM agent WHERE id = $1 AND active`, [
      agentId,
    ]);
    return row?.password_hash ?? null;
  }

  async setPasswordHash(manager: EntityManager, agentId: string, hash: string): Promise<void> {
    await this.db.query(`UPDATE agent SET password_hash = $2 WHERE id = $1`, [agentId, hash], manager);
  }
}
