import { Injectable, Logger } from '@nestjs/common';
import { GraphClient, downloadMetaAttachment, metaAccountId, type MetaKind, type SendResult } from '@guichet/channels';
import { LIMITS } from '@guichet/contracts';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { BlobStore } from '../blobs/blob-store';
import { ChannelService } from '../channels/channel.service';
import { ContactDirectory } from '../contacts/contact-directory.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { domainEvent } from '../events/domain-events';
import { OutboundWorker } from '../outbound/outbound.worker';
import { META_QUEUES, META_RETRY_LIMIT, MetaQueue } from './meta-queue';
import { COMMENT_SUBJECT, type AttachmentJob, type PostJob, type ProfileJob } from './meta-webhook.service';
import { MetaRepository } from './meta.repository';

export interface CommentSendJob {
  organizationId: string;
  messageId: string;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/ogg': 'ogg',
  'application/pdf': 'pdf',
};

/** Throwing makes the queue retry with backoff; the last attempt records the failure instead. */
class Retry extends Error {}

/**
 * Follow-up work of the Meta webhooks and the comment actions, on the durable job queue:
 * attachment downloads, one profile lookup per identity, the commented post, and public or
 * private replies to comments.
 */
@Injectable()
export class MetaJobs {
  private readonly logger = new Logger('MetaJobs');

  constructor(
    queue: MetaQueue,
    private readonly channels: ChannelService,
    private readonly contacts: ContactDirectory,
    private readonly writer: ConversationWriter,
    private readonly blobs: BlobStore,
    private readonly repo: MetaRepository,
    private readonly outbound: OutboundWorker,
  ) {
    queue.handle<AttachmentJob>(META_QUEUES.attachments, (job) => this.attachments(job));
    queue.handle<ProfileJob>(META_QUEUES.profile, (job) => this.profile(job));
    queue.handle<PostJob>(META_QUEUES.post, (job) => this.post(job));
    queue.handle<CommentSendJob>(META_QUEUES.commentSend, (job) => this.commentSend(job));
  }

  private lastTry(job: Job<object>): boolean {
    return job.retryCount >= META_RETRY_LIMIT;
  }

  async attachments(job: Job<AttachmentJob>): Promise<void> {
    const { organizationId, messageId, items } = job.data;
    const message = await this.repo.messageById(organizationId, messageId);
    if (!message || (await this.repo.attachmentCount(messageId)) > 0) return;
    const stored: { fileName: string; contentType: string; size: number; sha256: string }[] = [];
    const errors: string[] = [];
    let retry: string | null = null;
    for (const [i, item] of items.slice(0, 10).entries()) {
      const got = await downloadMetaAttachment(item.url, LIMITS.attachmentBytes);
      if (!got.ok) {
        if (got.temporary) retry = got.reason;
        errors.push(got.reason);
        continue;
      }
      const { sha256, size } = await this.blobs.put(got.content);
      const ext = EXTENSIONS[got.contentType];
      const named = got.fileName && /\.[a-z0-9]{2,5}$/i.test(got.fileName) ? got.fileName : null;
      stored.push({
        fileName: (named ?? `${item.type}-${i + 1}${ext ? `.${ext}` : ''}`).slice(0, 200),
        contentType: got.contentType,
        size,
        sha256,
      });
    }
    if (retry && !this.lastTry(job)) throw new Retry(retry);
    await this.writer.attachFiles(organizationId, message.conversation_id, messageId, stored, async (tx) => {
      if (errors.length) await this.writer.mergeMessageMeta(tx, messageId, { attachmentErrors: errors });
    });
  }

  async profile(job: Job<ProfileJob>): Promise<void> {
    const { organizationId, channelId, kind, value } = job.data;
    const known = await this.contacts.profileFetchedAt(organizationId, kind, value);
    if (!known || known.fetchedAt) return;
    const channel = await this.channels.resolve(organizationId, channelId);
    if (!channel) return;
    const fields = channel.kind === 'instagram' ? 'name,username,profile_pic' : 'name,profile_pic';
    const r = await GraphClient.from(channel.config).get<{ name?: string; username?: string; profile_pic?: string }>(value, {
      fields,
    });
    if (!r.ok && r.temporary && !this.lastTry(job)) throw new Retry(r.reason);
    if (!r.ok) this.logger.warn(`profil ${kind} introuvable : ${r.reason}`);
    const name = r.ok ? (r.data.name ?? r.data.username ?? null)?.trim().slice(0, 200) || null : null;
    const avatarUrl =
      r.ok && typeof r.data.profile_pic === 'string' && /^https?:\/\//.test(r.data.profile_pic) ? r.data.profile_pic : null;
    // The citizen's name shows in their files: each is told, durable listeners included.
    await this.writer.tx(async (tx) => {
      const who = await this.contacts.cacheProfile(tx.m, organizationId, kind, value, { name, avatarUrl });
      if (!who || !name) return;
      await this.writer.nameFromProfile(tx, organizationId, who, name, await this.repo.openConversationIds(who.contactId, tx.m));
    });
  }

  /** The commented post's words become the subject, and an event shows its text and link. */
  async post(job: Job<PostJob>): Promise<void> {
    const { organizationId, channelId, conversationId, postId } = job.data;
    if (await this.repo.hasPostEvent(conversationId, postId)) return;
    const channel = await this.channels.resolve(organizationId, channelId);
    if (!channel) return;
    const fields = channel.kind === 'instagram' ? 'caption,permalink' : 'message,permalink_url';
    const r = await GraphClient.from(channel.config).get<{
      message?: string;
      caption?: string;
      permalink_url?: string;
      permalink?: string;
    }>(postId, {
      fields,
    });
    if (!r.ok && r.temporary && !this.lastTry(job)) throw new Retry(r.reason);
    const text = r.ok ? (r.data.message ?? r.data.caption ?? '').trim() : '';
    const link = (r.ok ? (r.data.permalink_url ?? r.data.permalink) : undefined) ?? job.data.permalink ?? null;
    const body = [`Publication commentée${text ? ` : « ${text.slice(0, 1000)} »` : ''}`, link].filter(Boolean).join('\n');
    // The event line, the comment's post and the subject in one transaction, told after it.
    await this.writer.tx(async (tx) => {
      const id = await this.writer.insertMessage(tx, {
        organizationId,
        conversationId,
        direction: 'inbound',
        kind: 'event',
        channelId,
        body,
        status: 'received',
        meta: { provider: 'meta', source: 'post', postId, postText: text || null, permalink: link },
        // Just before the comment, so the timeline reads post then comment.
        createdAt: new Date(new Date(job.data.at).getTime() - 1),
      });
      await this.writer.mergeMessageMeta(tx, job.data.messageId, { postText: text || null, permalink: link });
      if (text) {
        const subject = `Commentaire sur « ${text.replace(/\s+/g, ' ').slice(0, 120)}${text.length > 120 ? '…' : ''} »`;
        await this.writer.replaceSubject(tx, conversationId, subject, COMMENT_SUBJECT);
      }
      await this.writer.tell(tx, organizationId, conversationId, id, ({ conversation, message }) => [
        domainEvent('conversation.updated', organizationId, { conversation, change: 'subject' }),
        domainEvent('message.received', organizationId, { conversation, message, newConversation: false }),
      ]);
    });
  }

  /**
   * Public reply (`POST /{comment-id}/comments`) or private reply (Send API, `recipient.comment_id`),
   * sent once like any reply (issue 18): through the outbound worker's attempt path (`sendOnce`:
   * the attempt committed as `sending` before the Graph call, an interrupted one settled). Meta
   * cannot be asked whether it has a reply, and a second copy would reach the citizen (Meta allows
   * one private reply): an interrupted one is recorded sent when an echo told its id, else left
   * « Envoi interrompu » for an agent (`agent`).
   */
  async commentSend(job: Job<CommentSendJob>): Promise<void> {
    const { organizationId, messageId } = job.data;
    const row = await this.outbound.sendable(job);
    const message = row && (await this.repo.messageById(organizationId, messageId));
    if (!row || !message?.channel_id) return;
    const source = message.meta?.source;
    const commentId = message.meta?.commentId;
    if ((source !== 'comment-reply' && source !== 'private-reply') || typeof commentId !== 'string') return;
    const channel = await this.channels.resolve(organizationId, message.channel_id);
    await this.outbound.sendOnce(job, row, {
      kind: channel?.kind ?? 'unknown',
      interrupted: 'agent',
      send: async (): Promise<SendResult> => {
        if (!channel?.enabled) return { ok: false, temporary: false, reason: 'canal désactivé ou supprimé' };
        const kind = channel.kind as MetaKind;
        const client = GraphClient.from(channel.config);
        if (source === 'comment-reply') {
          const r = await client.post<{ id?: string }>(kind === 'instagram' ? `${commentId}/replies` : `${commentId}/comments`, {
            message: message.body,
          });
          return r.ok ? { ok: true, status: 'sent', externalId: r.data.id } : r;
        }
        const accountId = metaAccountId(kind, channel.config);
        if (!accountId)
          return { ok: false, temporary: false, reason: 'identifiant du compte manquant dans la configuration du canal' };
        const r = await client.post<{ message_id?: string }>(`${accountId}/messages`, {
          recipient: { comment_id: commentId },
          message: { text: message.body, metadata: `guichet:${message.id}` },
        });
        return r.ok ? { ok: true, status: 'sent', externalId: r.data.message_id } : r;
      },
    });
  }
}
