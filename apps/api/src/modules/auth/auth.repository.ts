import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AgentRole } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';

export const tokenHash = (token: string) => createHash('sha256').update(token).digest();

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

  async findBySession(token: string): Promise<AuthAgent | null> {
    const [row] = await this.db.query<AgentRow>(
      `SELECT a.id, a.organization_id, a.role, a.name, a.email,
              array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent_session s JOIN agent a ON a.id = s.agent_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND a.active`,
      [tokenHash(token)],
    );
    return row ? toAuthAgent(row) : null;
  }

  async deleteSession(token: string): Promise<void> {
    await this.db.query(`DELETE FROM agent_session WHERE token_hash = $1`, [tokenHash(token)]);
  }
}
