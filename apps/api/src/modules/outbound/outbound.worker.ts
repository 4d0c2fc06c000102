import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { adapterFor, type SendResult } from '@guichet/channels';
import { CHANNEL_CAPABILITIES, CHANNEL_IDENTITY } from '@guichet/contracts';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, JOBS_AT_ONCE, type AppConfig } from '../../config';
import { Metrics } from '../../infra/metrics/metrics';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService, type ResolvedChannel } from '../channels/channel.service';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { OutboundRepository, type OutboundRow } from './outbound.repository';
import { JobQueue, OUTBOUND_RETRY_LIMIT, QUEUES } from '../../infra/jobs/job-queue';
import { replyToken } from './reply-token';
import { signedMediaPath } from '../../common/signed-link';
import { isInfrastructureError } from '../../common/database';

/** How long a provider may fetch a reply's files from their signed link (Twilio fetches at once; retries stay within). */
const MEDIA_LINK_TTL_SECONDS = 2 * 24 * 3600;
/**
 * How long a send's outcome waits for the database to answer again (a restart, a failover) before
 * its job gives up; longer than the job's expiry would let the queue hand the job to another worker.
 */
const RECORD_PATIENCE_MS = 60_000;

export interface OutboundJob {
  messageId: string;
  organizationId: string;
}

/**
 * Sends queued replies through their channel's adapter. Temporary failures are retried with
 * backoff by the queue; permanent ones (and the last retry) mark the message failed with the
 * provider's reason, pushed live.
 *
 * Up to OUTBOUND_SENDS_AT_ONCE sends at once (default 4; 1: one at a time): the messages of one
 * conversation, and of one citizen (a registrant's reminders and notices of several events), go
 * out one after another in queue order (job-queue.ts `work`, chains). A message is sent only while
 * it is `queued`, and once the provider has it the outcome is recorded even across a database
 * restart (`record`), so a retried job sends nothing twice. What remains is the instant between the
 * provider's answer and that write: a process killed there leaves the message `queued`, sent
 * again when its job expires (e-mail keeps its Message-ID, its id, so mail programs merge the two).
 * The providers set no pace of their own here: Twilio's 429 and SMTP's 4xx are temporary failures,
 * retried with backoff like any other.
 */
@Injectable()
export class OutboundWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('Outbound');

  constructor(
    private readonly repo: OutboundRepository,
    private readonly queue: JobQueue,
    private readonly channels: ChannelService,
    private readonly reader: ConversationReader,
    private readonly writer: ConversationWriter,
    private readonly blobs: BlobStore,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runJobs) return;
    await this.queue.work<OutboundJob>(QUEUES.outboundSend, (job) => this.handle(job), {
      atOnce: this.config.outboundSendsAtOnce ?? JOBS_AT_ONCE,
      keys: async (jobs) => {
        const of = await this.repo.orderKeys(jobs.map((j) => j.data.messageId));
        return jobs.map((j) => {
          const r = of.get(j.data.messageId);
          return r ? [`conversation:${r.conversation_id}`, `contact:${r.contact_id}`] : [];
        });
      },
    });
  }

  async handle(job: Job<OutboundJob>): Promise<void> {
    const { messageId, organizationId } = job.data;
    const row = await this.repo.findOutbound(organizationId, messageId);
    // Notes are never sent; a message already sent (a retried job after a crash) is not sent twice.
    if (!row || row.kind !== 'message' || row.status !== 'queued' || !row.channel_id) return;
    const channel = await this.channels.resolve(organizationId, row.channel_id);
    // A letter is never sent by a provider: it stays queued (« à poster ») until an agent marks it posted.
    if (channel && CHANNEL_CAPABILITIES[channel.kind].postal) return;
    const result = channel?.enabled
      ? await this.send(row, channel)
      : ({ ok: false, temporary: false, reason: 'canal désactivé ou supprimé' } as const);
    const kind = channel?.kind ?? 'unknown';
    if (!result.ok && result.temporary && job.retryCount < OUTBOUND_RETRY_LIMIT) {
      this.metrics.outbound(kind, 'retry');
      this.logger.warn(`message ${messageId}: ${result.reason} (nouvel essai)`);
      throw new Error(result.reason);
    }
    this.metrics.outbound(kind, result.ok ? result.status : 'failed');
    await this.record(messageId, () =>
      this.writer.messageStatus(
        organizationId,
        row.conversation_id,
        messageId,
        result.ok ? result.status : 'failed',
        result.ok ? { externalId: result.externalId } : { error: result.reason },
      ),
    );
  }

  /**
   * Writes a send's outcome, trying again while the database is away (connection lost, restarting,
   * a deadlock): the provider already has the message, and failing the job would send it again.
   */
  private async record(messageId: string, write: () => Promise<unknown>): Promise<void> {
    const giveUpAt = Date.now() + RECORD_PATIENCE_MS;
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
      try {
        await write();
        return;
      } catch (e) {
        if (!isInfrastructureError(e) || Date.now() + waitMs > giveUpAt) throw e;
        this.logger.warn(
          `message ${messageId} envoyé, issue non enregistrée (${e instanceof Error ? e.message : String(e)}) : nouvel essai dans ${waitMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  private async send(row: OutboundRow, channel: ResolvedChannel): Promise<SendResult> {
    const identityKind = CHANNEL_IDENTITY[channel.kind];
    const identity = identityKind ? await this.repo.identity(row.contact_id, identityKind) : undefined;
    if (identityKind && identity === undefined)
      return { ok: false, temporary: false, reason: `le citoyen n'a pas d'identité ${identityKind}` };
    const [thread, attachments, lastInboundAt] = await Promise.all([
      this.repo.threadExternalIds(row.conversation_id, channel.id),
      this.repo.attachments(row.id),
      this.reader.lastInboundAt(row.conversation_id, channel.kind),
    ]);
    return adapterFor(channel.kind)
      .send({
        channel: { id: channel.id, kind: channel.kind, config: channel.config },
        to: identityKind && identity !== undefined ? { kind: identityKind, value: identity, name: row.contact_name } : null,
        message: {
          id: row.id,
          body: row.body,
          attachments: await Promise.all(
            attachments.map(async (a) => ({
              fileName: a.file_name,
              contentType: a.content_type,
              content: await this.blobs.get(a.sha256),
              url: this.config.publicUrl + signedMediaPath(this.config.appSecret, a.id, MEDIA_LINK_TTL_SECONDS),
            })),
          ),
        },
        conversation: { id: row.conversation_id, reference: row.reference, subject: row.subject, lastInboundAt },
        threadExternalIds: thread,
        replyToken: replyToken(this.config.appSecret, row.conversation_id),
        publicUrl: this.config.publicUrl,
      })
      .catch((e: unknown): SendResult => ({ ok: false, temporary: true, reason: `erreur réseau : ${String(e)}` }));
  }
}
