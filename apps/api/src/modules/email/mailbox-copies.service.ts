import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import type { EntityManager } from 'typeorm';
import { describeConnectionError, mailCopyOf, outboundMessageId, removeMailboxCopies, type MailCopy } from '@guichet/channels';
import { CHANNEL_CONFIG_SCHEMAS } from '@guichet/contracts';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue } from '../../infra/jobs/job-queue';
import { ChannelService } from '../channels/channel.service';
import { ATTEMPT_MAX_MS } from '../outbound/outbound.worker';
import { EmailRepository } from './email.repository';

export const MAILBOX_COPIES_QUEUE = 'mailbox-copies';
/** Connection failures are retried with backoff (2 s doubling up to 10 min): about an hour in all. */
export const MAILBOX_COPIES_RETRY_LIMIT = 14;
/** Mails per job (a job's data stays small; one IMAP session per job). */
const COPIES_PER_JOB = 500;
/** The second look for the copies of replies in flight: once an attempt begun now is over (ATTEMPT_MAX_MS), and a minute. */
export const LATE_PASS_AFTER_MS = ATTEMPT_MAX_MS + 60_000;

/**
 * What one job removes: one mailbox's copies of mails of anonymized or deleted conversations. It
 * carries only what finds them (Message-IDs and, for imported mails, their content hash): no body,
 * no address, no name.
 */
export interface MailboxCopiesJob {
  organizationId: string;
  channelId: string;
  cause: 'retention' | 'erasure';
  /** The retention run, or the erased citizen (their file's audit shows what became of the copies). */
  runId?: string;
  contactId?: string;
  copies: MailCopy[];
}

/** A mail the import could not store, as its quarantine kept it (removed with its sender's data). */
export interface QuarantinedMail {
  organizationId: string;
  channelId: string;
  raw: Buffer;
}

type QueueOptions = { cause: MailboxCopiesJob['cause']; runId?: string; contactId?: string };

/**
 * RGPD (issue 16): when conversations are anonymized or deleted, the copies of their mails the
 * town's mailbox still holds — the citizens' mails the ingest read (left, marked read or moved)
 * and the replies copied to the sent folder — are removed too; so are those of the mails from an
 * anonymized citizen the import could not store (its quarantine). The job is queued in the
 * anonymization's transaction (it exists if and only if the anonymization committed) and works
 * after the commit over IMAP (removeMailboxCopies); each run is audited with what it removed per
 * folder, or why it could not.
 */
@Injectable()
export class MailboxCopies implements OnApplicationBootstrap {
  private readonly logger = new Logger('MailboxCopies');

  constructor(
    private readonly repo: EmailRepository,
    private readonly queue: JobQueue,
    private readonly channels: ChannelService,
    private readonly audit: AuditRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define<MailboxCopiesJob>(
      MAILBOX_COPIES_QUEUE,
      { retryLimit: MAILBOX_COPIES_RETRY_LIMIT, expireInSeconds: 15 * 60 },
      (job) => this.run(job),
    );
  }

  /**
   * Queues, in the caller's transaction and before these conversations change, the removal of
   * their mails' copies: one job per mailbox (and per COPIES_PER_JOB mails).
   */
  async queueRemoval(m: EntityManager, conversationIds: string[], o: QueueOptions): Promise<void> {
    if (!conversationIds.length) return;
    const mails = (await this.repo.mailsOf(m, conversationIds)).flatMap((r) => {
      // A mail stored apart under a reused Message-ID (`<id>#<hash>`) is found by its Message-ID.
      const messageId = r.external_id ? r.external_id.split('#')[0]! : r.address ? outboundMessageId(r.id, r.address) : null;
      if (!messageId) return [];
      const copy: MailCopy =
        r.direction === 'inbound' && r.content_sha256 ? { messageId, contentSha256: r.content_sha256 } : { messageId };
      return [{ organizationId: r.organization_id, channelId: r.channel_id, copy, inFlight: r.in_flight }];
    });
    await this.send(m, mails, o);
    // A reply being sent right now is copied to the sent folder after its SMTP answer, possibly
    // after the pass above: its copy is looked for again once any attempt begun by then is over.
    const late = mails.filter((x) => x.inFlight);
    if (late.length) await this.send(m, late, o, new Date(Date.now() + LATE_PASS_AFTER_MS));
  }

  /** The same for mails a quarantine kept (its rows removed in the caller's transaction). */
  queueQuarantinedRemoval(m: EntityManager, mails: QuarantinedMail[], o: QueueOptions): Promise<void> {
    return this.send(
      m,
      mails.map((q) => ({ organizationId: q.organizationId, channelId: q.channelId, copy: mailCopyOf(q.raw) })),
      o,
    );
  }

  private async send(
    m: EntityManager,
    mails: { organizationId: string; channelId: string; copy: MailCopy }[],
    o: QueueOptions,
    startAfter?: Date,
  ): Promise<void> {
    const byChannel = new Map<string, { organizationId: string; copies: MailCopy[] }>();
    for (const { organizationId, channelId, copy } of mails) {
      let channel = byChannel.get(channelId);
      if (!channel) byChannel.set(channelId, (channel = { organizationId, copies: [] }));
      channel.copies.push(copy);
    }
    const jobs: MailboxCopiesJob[] = [];
    for (const [channelId, { organizationId, copies }] of byChannel)
      for (let i = 0; i < copies.length; i += COPIES_PER_JOB)
        jobs.push({
          organizationId,
          channelId,
          cause: o.cause,
          ...(o.runId ? { runId: o.runId } : {}),
          ...(o.contactId ? { contactId: o.contactId } : {}),
          copies: copies.slice(i, i + COPIES_PER_JOB),
        });
    await this.queue.sendManyInTx(m, MAILBOX_COPIES_QUEUE, jobs, { startAfter });
  }

  /** One mailbox's copies removed (a second run finds none); retried while the server cannot be reached. */
  async run(job: Job<MailboxCopiesJob>): Promise<void> {
    const { organizationId, channelId, cause, copies } = job.data;
    const record = (action: 'mailbox.copies_removed' | 'mailbox.copies_left', data: Record<string, unknown>) =>
      this.audit.record({
        organizationId,
        agentId: null,
        action,
        contactId: job.data.contactId ?? null,
        data: { channelId, cause, ...(job.data.runId ? { runId: job.data.runId } : {}), mails: copies.length, ...data },
      });
    const left = async (reason: string) => {
      this.logger.warn(`canal ${channelId} : ${copies.length} copie(s) de courriels laissée(s) dans la boîte : ${reason}`);
      await record('mailbox.copies_left', { reason });
    };
    const channel = await this.channels.resolve(organizationId, channelId);
    if (!channel || channel.kind !== 'email') return left('canal supprimé : sa boîte aux lettres n’est plus connue de Guichet');
    const config = CHANNEL_CONFIG_SCHEMAS.email.safeParse(channel.config);
    if (!config.success) return left('configuration IMAP du canal absente ou incomplète : la boîte ne peut être lue');
    let result;
    try {
      result = await removeMailboxCopies(config.data, copies);
    } catch (e) {
      const reason = describeConnectionError(e, 'IMAP');
      if (job.retryCount < MAILBOX_COPIES_RETRY_LIMIT) throw new Error(`${reason} (nouvel essai)`, { cause: e });
      return left(`${reason} (${MAILBOX_COPIES_RETRY_LIMIT + 1} tentatives)`);
    }
    const removed = Object.values(result.removed).reduce((a, b) => a + b, 0);
    this.logger.log(`canal ${channelId} : ${removed} copie(s) de courriels supprimée(s) de la boîte`);
    await record('mailbox.copies_removed', { ...result, total: removed });
  }
}
