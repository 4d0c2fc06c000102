import { Injectable } from '@nestjs/common';
import type { EmailConfig } from '@guichet/channels';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import type { ResolvedChannel } from '../channels/channel.service';
import { EmailIngestService, type EmailOutcome } from './email-ingest.service';
import { EmailRepository, type QuarantineRow } from './email.repository';

/**
 * A mailbox's quarantine (admins): mails the import could not read, kept with their raw source
 * for a retry, until an admin discards them, a retry stores them, the citizen's erasure or the
 * retention period (organization.quarantine_retention_days) removes them. Whatever leaves the
 * quarantine leaves it whole, raw source included, in the transaction of its audit event.
 */
@Injectable()
export class QuarantineService {
  constructor(
    private readonly db: Database,
    private readonly repo: EmailRepository,
    private readonly emailIngest: EmailIngestService,
    private readonly audit: AuditRepository,
  ) {}

  /** Who did what to which mail of the quarantine (it may be a citizen's: the log says so, never what it holds). */
  private record(
    agent: AuthAgent,
    action: 'retried' | 'discarded' | 'downloaded',
    row: QuarantineRow,
    data: Record<string, unknown> = {},
    m?: EntityManager,
  ) {
    return this.audit.record(
      {
        organizationId: agent.organizationId,
        agentId: agent.id,
        action: `channel.quarantine_${action}`,
        data: { channelId: row.channel_id, quarantineId: row.id, folder: row.folder, uid: Number(row.uid), ...data },
      },
      m,
    );
  }

  private async kept(agent: AuthAgent, channelId: string, id: string) {
    const row = await this.repo.quarantined(agent.organizationId, channelId, id);
    if (!row) throw notFound('message en quarantaine');
    return row;
  }

  /** The raw source, for a download; the download is audited first. */
  async raw(agent: AuthAgent, channelId: string, id: string): Promise<QuarantineRow & { raw: Buffer }> {
    const row = await this.kept(agent, channelId, id);
    await this.record(agent, 'downloaded', row);
    return row;
  }

  /** Removed at once, raw source and all, with its audit event in the same transaction. */
  async discard(agent: AuthAgent, channelId: string, id: string): Promise<void> {
    await this.db.tx(async (m) => {
      const row = await this.repo.removeQuarantined(m, agent.organizationId, channelId, id);
      if (!row) throw notFound('message en quarantaine');
      await this.record(agent, 'discarded', row, { size: Number(row.size) }, m);
    });
  }

  /**
   * Parses and stores the kept raw source again (after a fix): stored, it leaves the quarantine
   * (it is a conversation's message now); refused again, it stays with the new reason.
   */
  async retry(
    agent: AuthAgent,
    channel: ResolvedChannel,
    id: string,
  ): Promise<{ ok: boolean; error?: string; outcome?: EmailOutcome['kind']; conversationId?: string }> {
    const row = await this.kept(agent, channel.id, id);
    let outcome: EmailOutcome;
    try {
      outcome = await this.emailIngest.store(
        { id: channel.id, organizationId: channel.organizationId, config: channel.config as EmailConfig },
        { folder: row.folder, uid: Number(row.uid), source: row.raw },
      );
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await this.db.tx(async (m) => {
        await this.repo.markRetryFailed(id, error, m);
        await this.record(agent, 'retried', row, { ok: false }, m);
      });
      return { ok: false, error };
    }
    await this.db.tx(async (m) => {
      // Another admin's discard or retry may have removed it meanwhile: the retry is recorded all the same.
      await this.repo.removeQuarantined(m, agent.organizationId, channel.id, id);
      await this.record(agent, 'retried', row, { ok: true }, m);
    });
    return {
      ok: true,
      outcome: outcome.kind,
      ...(outcome.kind === 'stored' ? { conversationId: outcome.conversationId } : {}),
    };
  }
}
