import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { DeadlineDigestDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { NO_PASSWORD } from '../../common/password';

export type AccountTokenPurpose = 'invitation' | 'reset';

const hash = (token: string) => createHash('sha256').update(token).digest();

/** One-time links to choose a password (invitation, reset): only their hash is stored. */
@Injectable()
export class AccountRepository {
  constructor(private readonly db: Database) {}

  /** A new link for the agent; earlier unused links of the same purpose stop working. */
  async issueToken(manager: EntityManager, agentId: string, purpose: AccountTokenPurpose, ttlHours: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.query(
      `DELETE FROM agent_token WHERE agent_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [agentId, purpose],
      manager,
    );
    await this.db.query(
      `INSERT INTO agent_token (token_hash, agent_id, purpose, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
      [hash(token), agentId, purpose, ttlHours],
      manager,
    );
    return token;
  }

  /**
   * Uses a link once, locked: the agent it opens (active, link unexpired and unused), or null.
   */
  async consumeToken(
    manager: EntityManager,
    token: string,
  ): Promise<{ agentId: string; organizationId: string; email: string; purpose: AccountTokenPurpose } | null> {
    const [row] = await this.db.query<{ agent_id: string; organization_id: string; email: string; purpose: AccountTokenPurpose }>(
      `UPDATE agent_token t SET used_at = now() FROM agent a
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now() AND a.id = t.agent_id AND a.active
        RETURNING t.agent_id, a.organization_id, a.email, t.purpose`,
      [hash(token)],
      manager,
    );
    return row ? { agentId: row.agent_id, organizationId: row.organization_id, email: row.email, purpose: row.purpose } : null;
  }

  /** An active account with a password, by e-mail (password reset requests). */
  async activeAccountByEmail(email: string): Promise<{ id: string; organizationId: string; name: string } | null> {
    const [row] = await this.db.query<{ id: string; organization_id: string; name: string }>(
      `SELECT id, organization_id, name FROM agent WHERE email = $1 AND active AND password_hash <> $2`,
      [email.toLowerCase(), NO_PASSWORD],
    );
    return row ? { id: row.id, organizationId: row.organization_id, name: row.name } : null;
  }

  /** The agent's deadlines digest settings (locked when `lock`, for a change in the caller's transaction). */
  async deadlineDigest(agentId: string, manager?: EntityManager, lock = false): Promise<DeadlineDigestDto> {
    const [row] = await this.db.query<DeadlineDigestDto>(
      `SELECT digest_enabled AS enabled, digest_time AS time FROM agent WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [agentId],
      manager,
    );
    return row!;
  }

  async setDeadlineDigest(manager: EntityManager, agentId: string, v: DeadlineDigestDto): Promise<void> {
    await this.db.query(
      `UPDATE agent SET digest_enabled = $2, digest_time = $3 WHERE id = $1`,
      [agentId, v.enabled, v.time],
      manager,
    );
  }
}
