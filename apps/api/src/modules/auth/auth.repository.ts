import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AgentRole } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';

export const tokenHash = (token: string) => createHash('sha256').update(token).digest();
/** A session's id: the hex of its token's hash (names its sockets' room; the token never leaves the request). */
export const sessionId = (token: string) => tokenHash(token).toString('hex');

interface AgentRow {
  id: string;
  organization_id: string;
  role: AgentRole;
  name: string;
  email: string;
  team_ids: string[];
}

const toAuthAgent = (r: AgentRow): AuthAgent => ({
  id: r.id,
  organizationId: r.organization_id,
  role: r.role,
  name: r.name,
  email: r.email,
  teamIds: r.team_ids,
});

@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  async findForLogin(email: string): Promise<(AuthAgent & { passwordHash: string }) | null> {
    const [row] = await this.db.query<AgentRow & { password_hash: string }>(
      `SELECT a.id, a.organization_id, a.role, a.name, a.email, a.password_hash,
              array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent a WHERE a.email = $1 AND a.active`,
      [email.toLowerCase()],
    );
    return row ? { ...toAuthAgent(row), passwordHash: row.password_hash } : null;
  }

  async createSession(agentId: string, token: string, ttlHours: number): Promise<Date> {
    const [row] = await this.db.query<{ expires_at: Date }>(
      `INSERT INTO agent_session (token_hash, agent_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))
       RETURNING expires_at`,
      [tokenHash(token), agentId, ttlHours],
    );
    return row!.expires_at;
  }

  /** The agent of a live session (not expired, agent active), as they are now, with the session. */
  async findBySession(id: string): Promise<AuthAgent | null> {
    const [row] = await this.db.query<AgentRow & { expires_at: Date }>(
      `SELECT a.id, a.organization_id, a.role, a.name, a.email, s.expires_at,
              array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent_session s JOIN agent a ON a.id = s.agent_id
        WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() AND a.active`,
      [id],
    );
    return row ? { ...toAuthAgent(row), session: { id, expiresAt: row.expires_at } } : null;
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
