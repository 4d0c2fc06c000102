import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { adapterFor, type SendResult } from '@guichet/channels';
import { CHANNEL_IDENTITY } from '@guichet/contracts';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database.service';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService, type ResolvedChannel } from '../channels/channel.service';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository } from '../conversations/conversation.repository';
import { MessageRepository } from '../messages/message.repository';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';
import { JobQueue, OUTBOUND_RETRY_LIMIT, QUEUES } from './job-queue';
import { replyToken } from './reply-token';

export interface OutboundJob {
  messageId: string;
  organizationId: string;
}

/**
 * Sends queued replies through their channel's adapter. Temporary failures are retried with
 * backoff by the queue; permanent ones (and the last retry) mark the message failed with the
 * provider's reason, pushed live.
 */
@Injectable()
export class OutboundWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('Outbound');

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly channels: ChannelService,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
    private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runJobs) return;
    await this.queue.work<OutboundJob>(QUEUES.outboundSend, (job) => this.handle(job));
  }

  async handle(job: Job<OutboundJob>): Promise<void> {
    const { messageId, organizationId } = job.data;
    const [row] = await this.db.query<{
      id: string;
      body: string;
      status: string;
      kind: string;
      channel_id: string | null;
      conversation_id: string;
      contact_id: string;
      contact_name: string | null;
      subject: string | null;
      reference: string;
    }>(
      `SELECT m.id, m.body, m.status, m.kind, m.channel_id, m.conversation_id, c.contact_id, ct.name AS contact_name,
              c.subject, c.reference
         FROM message m JOIN conversation c ON c.id = m.conversation_id JOIN contact ct ON ct.id = c.contact_id
        WHERE m.id = $1 AND m.organization_id = $2`,
      [messageId, organizationId],
    );
    // Notes are never sent; a message already sent (a retried job after a crash) is not sent twice.
    if (!row || row.kind !== 'message' || row.status !== 'queued' || !row.channel_id) return;
    const channel = await this.channels.resolve(organizationId, row.channel_id);
    const result = channel?.enabled
      ? await this.send(row, channel)
      : ({ ok: false, temporary: false, reason: 'canal désactivé ou supprimé' } as const);
    if (!result.ok && result.temporary && job.retryCount < OUTBOUND_RETRY_LIMIT) {
      this.logger.warn(`message ${messageId}: ${result.reason} (nouvel essai)`);
      throw new Error(result.reason);
    }
    await this.messages.setStatus(
      undefined,
      messageId,
      result.ok ? result.status : 'failed',
      result.ok ? { externalId: result.externalId } : { error: result.reason },
    );
    const [conversation, message] = await Promise.all([
      this.conversations.findById(organizationId, row.conversation_id),
      this.messages.findDto(messageId),
    ]);
    if (conversation && message) {
      await this.events.emit(
        domainEvent('message.updated', organizationId, {
          conversation: toConversationDto(conversation),
          message,
          change: 'status',
        }),
      );
    }
  }

  private async send(
    row: {
      id: string;
      body: string;
      conversation_id: string;
      contact_id: string;
      contact_name: string | null;
      subject: string | null;
      reference: string;
    },
    channel: ResolvedChannel,
  ): Promise<SendResult> {
    const identityKind = CHANNEL_IDENTITY[channel.kind];
    const [identity] = identityKind
      ? await this.db.query<{ value: string }>(
          `SELECT value FROM contact_identity WHERE contact_id = $1 AND kind = $2 ORDER BY created_at LIMIT 1`,
          [row.contact_id, identityKind],
        )
      : [];
    if (identityKind && !identity)
      return { ok: false, temporary: false, reason: `le citoyen n'a pas d'identité ${identityKind}` };
    const [thread, attachments, lastInboundAt] = await Promise.all([
      this.db.query<{ external_id: string }>(
        `SELECT external_id FROM message WHERE conversation_id = $1 AND channel_id = $2 AND external_id IS NOT NULL
          ORDER BY created_at, id`,
        [row.conversation_id, channel.id],
      ),
      this.db.query<{ file_name: string; content_type: string; sha256: string }>(
        `SELECT file_name, content_type, sha256 FROM attachment WHERE message_id = $1 ORDER BY created_at, id`,
        [row.id],
      ),
      this.messages.lastInboundAt(row.conversation_id, channel.kind),
    ]);
    return adapterFor(channel.kind)
      .send({
        channel: { id: channel.id, kind: channel.kind, config: channel.config },
        to: identityKind && identity ? { kind: identityKind, value: identity.value, name: row.contact_name } : null,
        message: {
          id: row.id,
          body: row.body,
          attachments: await Promise.all(
            attachments.map(async (a) => ({
              fileName: a.file_name,
              contentType: a.content_type,
              content: await this.blobs.get(a.sha256),
            })),
          ),
        },
        conversation: { id: row.conversation_id, reference: row.reference, subject: row.subject, lastInboundAt },
        threadExternalIds: thread.map((t) => t.external_id),
        replyToken: replyToken(this.config.appSecret, row.conversation_id),
        publicUrl: this.config.publicUrl,
      })
      .catch((e: unknown): SendResult => ({ ok: false, temporary: true, reason: `erreur réseau : ${String(e)}` }));
  }
}
