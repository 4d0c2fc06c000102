import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  DOWNLOADABLE_ATTACHMENTS,
  META_ECHO_METADATA_PREFIX,
  describeMetaMessage,
  metaAccountId,
  parseMetaWebhook,
  verifyMetaSignature,
  MetaPayloadError,
  type MetaCommentEvent,
  type MetaDeliveryEvent,
  type MetaEchoEvent,
  type MetaEvent,
  type MetaKind,
  type MetaMessageEvent,
  type MetaPostbackEvent,
  type MetaReactionEvent,
  type MetaReadEvent,
} from '@guichet/channels';
import { InvalidIdentityError, normalizeIdentity, type IdentityKind } from '@guichet/contracts';
import { Database } from '../../common/database';
import { parseWebhookJson } from '../../common/webhook-body';
import { AppError, badRequest, forbidden, notFound } from '../../common/errors';
import { safeEqual } from '../../common/safe-equal';
import { isUuid } from '../../common/uuid';
import { ChannelService, type ResolvedChannel } from '../channels/channel.service';
import { ContactDirectory } from '../contacts/contact-directory.service';
import { ContactService } from '../contacts/contact.service';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { IngestService } from '../ingest/ingest.service';
import { WebhookInbox, type InboxRow } from '../ingest/webhook-inbox';
import { DeliveryStatusService } from '../outbound/delivery-status.service';
import { domainEvent } from '../events/domain-events';
import { ConversationWriter, snippetOf } from '../conversations/conversation-writer.service';
import { META_QUEUES, MetaQueue } from './meta-queue';
import { MetaRepository } from './meta.repository';

export const COMMENT_SUBJECT = 'Commentaire sur une publication';
/** The webhook inbox's kind of Meta's stored notifications. */
const INBOX_KIND = 'meta';

/** The citizen an event is about (the order key of its notification). */
function citizenOf(e: MetaEvent): string {
  switch (e.type) {
    case 'echo':
      return e.recipientId;
    case 'comment':
      return e.fromId;
    default:
      return e.senderId;
  }
}
const IDENTITY: Record<MetaKind, IdentityKind> = { messenger: 'messenger', instagram: 'instagram' };

export interface AttachmentJob {
  organizationId: string;
  channelId: string;
  messageId: string;
  items: { type: string; url: string; title?: string }[];
}

export interface ProfileJob {
  organizationId: string;
  channelId: string;
  kind: IdentityKind;
  value: string;
}

export interface PostJob {
  organizationId: string;
  channelId: string;
  conversationId: string;
  messageId: string;
  postId: string;
  permalink?: string;
  at: string;
}

/**
 * Meta webhooks (Messenger, Instagram, Page feed): the signature is checked on the exact raw
 * body before anything is parsed or stored; the notification is stored in the webhook inbox
 * before the 200, and its events are handled right after; slow work (downloads, profile and post
 * lookups) goes to the job queue.
 */
@Injectable()
export class MetaWebhookService {
  private readonly logger = new Logger('MetaWebhook');

  constructor(
    private readonly db: Database,
    private readonly writer: ConversationWriter,
    private readonly channels: ChannelService,
    private readonly ingestService: IngestService,
    private readonly contacts: ContactService,
    private readonly contactDirectory: ContactDirectory,
    private readonly conversations: ConversationReader,
    private readonly delivery: DeliveryStatusService,
    private readonly repo: MetaRepository,
    private readonly queue: MetaQueue,
    private readonly inbox: WebhookInbox,
  ) {
    inbox.handle(INBOX_KIND, (row) => this.processStored(row));
  }

  /** The webhook's channel, before its body is read: 404 for an unknown channel or one of another kind. */
  async channel(channelId: string): Promise<ResolvedChannel & { kind: MetaKind }> {
    const channel = await this.channels.webhookChannel(channelId);
    if (!channel || (channel.kind !== 'messenger' && channel.kind !== 'instagram')) throw notFound('canal');
    return channel as ResolvedChannel & { kind: MetaKind };
  }

  /** Subscription handshake: echo the challenge only for this channel's verify token. */
  async handshake(channelId: string, query: Record<string, unknown>): Promise<string> {
    const channel = await this.channel(channelId);
    const expected = channel.config.verifyToken;
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode !== 'subscribe' ||
      typeof token !== 'string' ||
      typeof expected !== 'string' ||
      !expected ||
      !safeEqual(token, expected)
    ) {
      throw forbidden('jeton de vérification invalide');
    }
    // Meta sends a number; anything else is not reflected back.
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9_.-]{1,200}$/.test(challenge))
      throw badRequest('hub.challenge manquant ou invalide');
    return challenge;
  }

  /**
   * A notification: signature checked on the raw body (403), parsed (400 with the reason), then
   * stored in the webhook inbox and acknowledged; `process` handles its events right after.
   * Meta delivers again what is not acknowledged (for hours, less and less often): above the
   * stored backlog's bound it is answered 503 with Retry-After, and resends it later.
   */
  async receive(
    channel: ResolvedChannel & { kind: MetaKind },
    rawBody: Buffer,
    signature: string | string[] | undefined,
  ): Promise<void> {
    const parsed = this.parse(channel, rawBody, signature);
    // A disabled channel acknowledges (Meta would otherwise retry for days) and stores nothing.
    if (!channel.enabled || !parsed.events.length) return;
    this.inbox.admit();
    const first = parsed.events[0]!;
    const single = parsed.events.length === 1 && (first.type === 'message' || first.type === 'postback') ? first.mid : null;
    await this.inbox.store({
      channelId: channel.id,
      kind: INBOX_KIND,
      // A retry carries the same body (and a lone message, the same mid).
      dedupeKey: single ? `mid:${single}` : `body:${createHash('sha256').update(rawBody).digest('hex')}`,
      // One citizen's notifications are processed in the order they came.
      orderKey: `${channel.kind}:${citizenOf(first)}`,
      payload: rawBody.toString('utf8'),
    });
  }

  private parse(channel: ResolvedChannel & { kind: MetaKind }, rawBody: Buffer, signature: string | string[] | undefined) {
    const appSecret = typeof channel.config.appSecret === 'string' ? channel.config.appSecret : '';
    if (!verifyMetaSignature(rawBody, signature, appSecret)) throw forbidden('signature X-Hub-Signature-256 invalide');
    const body = parseWebhookJson(rawBody);
    let parsed;
    try {
      parsed = parseMetaWebhook(body);
    } catch (e) {
      if (e instanceof MetaPayloadError) throw badRequest(`notification Meta invalide : ${e.message}`);
      throw e;
    }
    const expectedObject = channel.kind === 'messenger' ? 'page' : 'instagram';
    if (parsed.object !== expectedObject)
      throw badRequest(`notification « ${parsed.object} » reçue sur un canal ${channel.kind}`);
    return parsed;
  }

  /** A stored notification: each event of the batch handled (once per mid). */
  private async processStored(row: InboxRow): Promise<void> {
    const channel = await this.channels.webhookChannel(row.channel_id);
    if (!channel || (channel.kind !== 'messenger' && channel.kind !== 'instagram')) throw notFound('canal');
    const metaChannel = channel as ResolvedChannel & { kind: MetaKind };
    // Checked when it was stored: parsed again as it was then (no signature to check twice).
    const parsed = parseMetaWebhook(parseWebhookJson(Buffer.from(row.payload, 'utf8')));
    // Disabled since it was stored: nothing filed, as at the acknowledgement.
    if (!channel.enabled) return;
    await this.process(metaChannel, parsed.events, parsed.skipped.length);
  }

  private async process(
    channel: ResolvedChannel & { kind: MetaKind },
    events: MetaEvent[],
    skippedBefore = 0,
  ): Promise<{ stored: number; skipped: number }> {
    const accountId = metaAccountId(channel.kind, channel.config);
    let stored = 0;
    let skipped = skippedBefore;
    for (const event of events) {
      if (accountId && event.accountId !== accountId) {
        skipped++;
        this.logger.warn(`canal ${channel.id} : entrée pour le compte ${event.accountId}, attendu ${accountId}`);
        continue;
      }
      try {
        if (await this.handle(channel, event)) stored++;
        else skipped++;
      } catch (e) {
        // A malformed event is skipped (a retry would fail the same way); anything else (the
        // database) fails the row, tried again later (idempotent on mid).
        if (e instanceof InvalidIdentityError || (e instanceof AppError && e.status < 500)) {
          skipped++;
          this.logger.warn(`canal ${channel.id} : événement ${event.type} ignoré : ${e.message}`);
          continue;
        }
        throw e;
      }
    }
    return { stored, skipped };
  }

  private handle(channel: ResolvedChannel & { kind: MetaKind }, event: MetaEvent): Promise<boolean> {
    switch (event.type) {
      case 'message':
        return this.onMessage(channel, event);
      case 'postback':
        return this.onPostback(channel, event);
      case 'echo':
        return this.onEcho(channel, event);
      case 'reaction':
        return this.onReaction(channel, event);
      case 'delivery':
        return this.onReceipt(channel, event, false);
      case 'read':
        return this.onReceipt(channel, event, true);
      case 'comment':
        return this.onComment(channel, event);
    }
  }

  private async afterInbound(channel: ResolvedChannel & { kind: MetaKind }, senderId: string): Promise<void> {
    const kind = IDENTITY[channel.kind];
    const value = normalizeIdentity(kind, senderId);
    const profile = await this.contactDirectory.profileFetchedAt(channel.organizationId, kind, value);
    if (profile && !profile.fetchedAt) {
      await this.queue.send(META_QUEUES.profile, {
        organizationId: channel.organizationId,
        channelId: channel.id,
        kind,
        value,
      } satisfies ProfileJob);
    }
  }

  /**
   * Direct messages join the citizen's latest open conversation, except a comment thread (one per
   * post and author): then their latest other open file, or a new one.
   */
  private async directThread(
    channel: ResolvedChannel & { kind: MetaKind },
    senderId: string,
  ): Promise<{ latestOpen?: boolean; conversationId?: string }> {
    const kind = IDENTITY[channel.kind];
    const target = await this.repo.directMessageTarget(channel.organizationId, kind, normalizeIdentity(kind, senderId));
    if (target === undefined) return { latestOpen: true };
    return target ? { conversationId: target } : {};
  }

  private async onMessage(channel: ResolvedChannel & { kind: MetaKind }, e: MetaMessageEvent): Promise<boolean> {
    const downloads = e.attachments.filter((a) => DOWNLOADABLE_ATTACHMENTS.has(a.type) && a.url && !a.stickerId);
    const result = await this.ingestService.ingest({
      channelId: channel.id,
      externalId: e.mid,
      from: { kind: IDENTITY[channel.kind], value: e.senderId },
      text: describeMetaMessage(e.text, e.attachments) || '(message vide)',
      receivedAt: e.timestamp,
      thread: await this.directThread(channel, e.senderId),
      meta: {
        provider: 'meta',
        ...(e.quickReplyPayload ? { quickReplyPayload: e.quickReplyPayload } : {}),
        ...(e.replyToMid ? { replyToMid: e.replyToMid } : {}),
        ...(e.attachments.length ? { metaAttachments: e.attachments } : {}),
      },
    });
    // Queued on every delivery (a redelivery after a crash included); the job skips what is done.
    if (downloads.length) {
      await this.queue.send(META_QUEUES.attachments, {
        organizationId: channel.organizationId,
        channelId: channel.id,
        messageId: result.messageId,
        items: downloads.map((a) => ({ type: a.type, url: a.url!, ...(a.title ? { title: a.title } : {}) })),
      } satisfies AttachmentJob);
    }
    await this.afterInbound(channel, e.senderId);
    return result.created;
  }

  private async onPostback(channel: ResolvedChannel & { kind: MetaKind }, e: MetaPostbackEvent): Promise<boolean> {
    const result = await this.ingestService.ingest({
      channelId: channel.id,
      externalId: e.mid,
      from: { kind: IDENTITY[channel.kind], value: e.senderId },
      text: e.title || '(bouton)',
      receivedAt: e.timestamp,
      thread: await this.directThread(channel, e.senderId),
      meta: { provider: 'meta', postbackPayload: e.payload ?? null },
    });
    await this.afterInbound(channel, e.senderId);
    return result.created;
  }

  /**
   * Echoes: our own sends (tagged with `guichet:<message id>` metadata, or already known by mid)
   * only confirm the outbound message; messages written in Meta's own inbox are recorded as
   * outbound messages authored by "Meta", in the citizen's latest open file, else a new one.
   *
   * RGPD art. 18: a file the citizen's limitation freezes (guichet_limited_since) is passed over,
   * as the ingest passes it over for the citizen's own messages (IngestFrozenFiles1765114000000)
   * and the switchboard for an agent's call (CallService.outgoing): the echo goes to their rights
   * request or a request they opened since; with none, to a new file flagged as possibly related
   * to the frozen one. The message was sent, so it is kept; the frozen file is left as it was
   * (no message, no new activity, no reopening). The new file's first message is the town's, so
   * the limitation freezes it too: nobody answers, acknowledges or routes it there.
   */
  private async onEcho(channel: ResolvedChannel & { kind: MetaKind }, e: MetaEchoEvent): Promise<boolean> {
    const ownId = e.metadata?.startsWith(META_ECHO_METADATA_PREFIX) ? e.metadata.slice(META_ECHO_METADATA_PREFIX.length) : null;
    if (isUuid(ownId)) {
      const externalId = await this.writer.linkEcho(channel.id, ownId, e.mid);
      if (externalId) await this.delivery.update(channel.id, externalId, 'sent');
      return false;
    }
    const known = await this.repo.messageByExternalId(channel.id, e.mid);
    if (known) {
      if (known.direction === 'outbound') await this.delivery.update(channel.id, e.mid, 'sent');
      return false;
    }
    const kind = IDENTITY[channel.kind];
    const value = normalizeIdentity(kind, e.recipientId);
    const body = describeMetaMessage(e.text, e.attachments) || '(message vide)';
    return this.writer.providerEvent(
      channel.id,
      e.mid,
      async (tx) => {
        const contactId = await this.contacts.resolve(tx.m, channel.organizationId, kind, value, null);
        let conversationId = await this.conversations.latestOpenId(tx.m, contactId, { processable: true });
        const newConversation = !conversationId;
        // An answer from the Meta inbox may be the first response (off the response deadline): the
        // counted state it found, read locked, goes beside conversation.updated.
        const before = conversationId ? await this.writer.counted(tx, channel.organizationId, conversationId) : undefined;
        if (!conversationId) {
          conversationId = await this.writer.openConversation(tx, {
            organizationId: channel.organizationId,
            contactId,
            teamId: channel.teamId,
            subject: null,
            // An open file that was passed over is one the limitation freezes.
            possiblyRelatedToId: await this.conversations.latestOpenId(tx.m, contactId),
            at: e.timestamp,
            identity: { kind, value },
          });
        }
        const messageId = await this.writer.insertMessage(tx, {
          organizationId: channel.organizationId,
          conversationId,
          direction: 'outbound',
          kind: 'message',
          channelId: channel.id,
          body,
          status: 'sent',
          externalId: e.mid,
          meta: { provider: 'meta', author: 'Meta', source: 'meta-inbox', ...(e.appId ? { appId: e.appId } : {}) },
          createdAt: e.timestamp,
        });
        await this.writer.touchOutbound(tx, conversationId, {
          snippet: snippetOf(body),
          channelKind: channel.kind,
          isReply: true,
        });
        const org = channel.organizationId;
        await this.writer.tell(tx, org, conversationId, messageId, ({ conversation, message }) => [
          newConversation
            ? domainEvent('conversation.created', org, { conversation, origin: 'provider' })
            : domainEvent('conversation.updated', org, { conversation, change: 'message', ...(before ? { before } : {}) }),
          domainEvent('message.sent', org, { conversation, message, newConversation, byAgentId: null }),
        ]);
        return true;
      },
      () => false,
    );
  }

  /** Reactions are events in the conversation of the message they react to. */
  private async onReaction(channel: ResolvedChannel & { kind: MetaKind }, e: MetaReactionEvent): Promise<boolean> {
    const target = await this.repo.messageByExternalId(channel.id, e.mid);
    if (!target) return false;
    const body =
      e.action === 'react'
        ? `Réaction ${e.emoji ?? e.reaction ?? ''} du citoyen à un message`.replace(/\s+/g, ' ')
        : 'Le citoyen a retiré sa réaction à un message';
    return this.recordEvent(
      channel,
      target.conversation_id,
      `reaction:${e.senderId}:${e.mid}:${e.timestamp.getTime()}`,
      body,
      e.timestamp,
      {
        source: 'reaction',
        reactedMid: e.mid,
        action: e.action,
        emoji: e.emoji ?? null,
        reaction: e.reaction ?? null,
      },
    );
  }

  /** An event line in a conversation (reaction, edited or deleted comment), stored once per external id. */
  private recordEvent(
    channel: ResolvedChannel,
    conversationId: string,
    externalId: string,
    body: string,
    at: Date,
    meta: Record<string, unknown>,
  ): Promise<boolean> {
    return this.writer.providerEvent(
      channel.id,
      externalId,
      async (tx) => {
        const messageId = await this.writer.insertMessage(tx, {
          organizationId: channel.organizationId,
          conversationId,
          direction: 'inbound',
          kind: 'event',
          channelId: channel.id,
          body,
          status: 'received',
          externalId,
          meta: { provider: 'meta', ...meta },
          createdAt: at,
        });
        await this.writer.tell(tx, channel.organizationId, conversationId, messageId, ({ conversation, message }) => [
          domainEvent('message.received', channel.organizationId, { conversation, message, newConversation: false }),
        ]);
        return true;
      },
      () => false,
    );
  }

  /**
   * Delivery and read receipts move our outbound messages to `delivered` (the model has no
   * `read` status); a read receipt also records the read time in the message's meta.
   */
  private async onReceipt(
    channel: ResolvedChannel & { kind: MetaKind },
    e: MetaDeliveryEvent | MetaReadEvent,
    read: boolean,
  ): Promise<boolean> {
    const kind = IDENTITY[channel.kind];
    const value = normalizeIdentity(kind, e.senderId);
    const targets = new Map<string, { id: string; externalId: string | null }>();
    const mids = e.type === 'delivery' ? e.mids : e.mid ? [e.mid] : [];
    for (const mid of mids) {
      const row = await this.repo.messageByExternalId(channel.id, mid);
      if (row && row.direction === 'outbound') targets.set(row.id, { id: row.id, externalId: mid });
    }
    if (e.watermark) {
      for (const row of await this.repo.outboundBefore(
        channel.id,
        kind,
        value,
        e.watermark,
        read ? ['sent', 'delivered'] : ['sent'],
      )) {
        targets.set(row.id, { id: row.id, externalId: row.external_id });
      }
    }
    if (read) await this.writer.markReadByCitizen([...targets.keys()], e.watermark ?? e.timestamp);
    let changed = false;
    for (const t of targets.values()) {
      if (t.externalId) changed = (await this.delivery.update(channel.id, t.externalId, 'delivered')) || changed;
    }
    return changed;
  }

  /** A known comment edited, deleted, hidden or shown again on the page. */
  private async onCommentChange(channel: ResolvedChannel & { kind: MetaKind }, e: MetaCommentEvent): Promise<boolean> {
    const comment = await this.repo.messageByExternalId(channel.id, e.commentId);
    if (!comment || comment.direction !== 'inbound') return false;
    if (e.verb === 'hide' || e.verb === 'unhide') {
      if ((comment.meta?.hidden === true) === (e.verb === 'hide')) return false;
      await this.writer.tx((tx) =>
        this.writer.mergeMessageMeta(tx, comment.id, { hidden: e.verb === 'hide', hiddenChangedAt: e.timestamp.toISOString() }),
      );
      return true;
    }
    if (e.verb === 'edited') {
      const text = e.text.trim().slice(0, 2000);
      return this.recordEvent(
        channel,
        comment.conversation_id,
        `edited:${e.commentId}:${e.timestamp.getTime()}`,
        `Commentaire modifié par son auteur : « ${text} »`,
        e.timestamp,
        {
          source: 'comment-edited',
          commentId: e.commentId,
          text,
        },
      );
    }
    if (e.verb === 'remove') {
      return this.recordEvent(
        channel,
        comment.conversation_id,
        `removed:${e.commentId}`,
        'Commentaire supprimé de la page',
        e.timestamp,
        {
          source: 'comment-removed',
          commentId: e.commentId,
        },
      );
    }
    return false;
  }

  /**
   * A comment under one of the page's posts: one conversation per commenter and post. The
   * page's own comments (our public replies) are not stored again.
   */
  private async onComment(channel: ResolvedChannel & { kind: MetaKind }, e: MetaCommentEvent): Promise<boolean> {
    const accountId = metaAccountId(channel.kind, channel.config);
    if (e.fromId === accountId) return false;
    if (e.verb !== 'add') return this.onCommentChange(channel, e);
    const kind = IDENTITY[channel.kind];
    const threadKey = `comment:${e.postId}:${e.fromId}`;
    const existing = await this.db.tx((m) => this.repo.conversationByThreadKey(m, channel.id, threadKey));
    const result = await this.ingestService.ingest({
      channelId: channel.id,
      externalId: e.commentId,
      from: { kind, value: e.fromId, ...(e.fromName ? { name: e.fromName } : {}) },
      text: describeMetaMessage(e.text, e.photoUrl ? [{ type: 'image', url: e.photoUrl }] : []) || '(commentaire vide)',
      subject: COMMENT_SUBJECT,
      receivedAt: e.timestamp,
      thread: existing ? { conversationId: existing } : {},
      meta: {
        provider: 'meta',
        source: 'comment',
        threadKey,
        commentId: e.commentId,
        postId: e.postId,
        ...(e.parentId ? { parentId: e.parentId } : {}),
        ...(e.permalink ? { permalink: e.permalink } : {}),
      },
    });
    if (result.created && result.newConversation) {
      await this.queue.send(META_QUEUES.post, {
        organizationId: channel.organizationId,
        channelId: channel.id,
        conversationId: result.conversationId,
        messageId: result.messageId,
        postId: e.postId,
        permalink: e.permalink,
        at: e.timestamp.toISOString(),
      } satisfies PostJob);
    }
    if (e.photoUrl && result.created) {
      await this.queue.send(META_QUEUES.attachments, {
        organizationId: channel.organizationId,
        channelId: channel.id,
        messageId: result.messageId,
        items: [{ type: 'image', url: e.photoUrl }],
      } satisfies AttachmentJob);
    }
    if (!e.fromName) await this.afterInbound(channel, e.fromId);
    return result.created;
  }
}
