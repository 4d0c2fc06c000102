import { Injectable } from '@nestjs/common';
import type { SessionDto } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';

@Injectable()
export class SessionsService {
  constructor(
    private readonly repo: AuthRepository,
    private readonly auth: AuthService,
    private readonly db: Database,
    private readonly audit: AuditRepository,
    private readonly realtime: RealtimePublisher,
  ) {}

  async list(agent: AuthAgent): Promise<SessionDto[]> {
    return (await this.repo.listSessions(agent.id)).map((s) => ({
      id: s.public_id,
      current: s.id === agent.session?.id,
      method: s.method,
      provider: s.provider,
      userAgent: s.user_agent,
      ip: s.ip,
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
    }));
  }

  async revoke(agent: AuthAgent, publicId: string): Promise<void> {
    await this.db.tx(async (m, afterCommit) => {
      const id = await this.repo.deleteSessionByPublicId(m, agent.id, publicId);
      if (!id) throw notFound('session');
      afterCommit(() => this.realtime.closeSession(id));
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'session.revoked',
          data: { sessions: 1, current: id === agent.session?.id },
        },
        m,
      );
    });
  }

  async revokeOthers(agent: AuthAgent): Promise<{ ended: number }> {
    return this.db.tx(async (m, afterCommit) => {
      const ended = await this.auth.endSessions(m, afterCommit, agent.id, agent.session?.id);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'session.revoked',
          data: { sessions: ended, others: true },
        },
        m,
      );
      return { ended };
    });
  }
}
