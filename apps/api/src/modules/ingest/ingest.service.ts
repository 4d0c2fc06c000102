import { Injectable } from '@nestjs/common';
import { htmlToText, sanitizeEmailHtml } from '@guichet/channels';
import { findReference, normalizeIdentity, type IdentityKind, type InboundMessage, type MessageDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';
import { badRequest, notFound } from '../../common/errors';
import { BlobStore } from '../blobs/blob-store';
import { ChannelRepository, type ChannelRow } from '../channels/channel.repository';
import { ContactRepository } from '../contacts/contact.repository';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository, type ThreadCandidate } from '../conversations/conversation.repository';
import { MessageRepository, type NewAttachment } from '../messages/message.repository';
import { RealtimePublisher } from '../realtime/realtime.publisher';

export interface IngestResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  /** False when the same (channel, external id) had already been stored. */
  created: boolean;
  newConversation: boolean;
}

export interface IngestOptions {
  /** Route a new conversation to this service instead of the channel's (web form). */
  teamId?: string;
}

const SNIPPET_CHARS = 160;
const CHANNEL_CACHE_MS = 5_000;

/** The same (channel, external id) is already stored: the transaction is rolled back. */
class DuplicateDelivery extends Error {}
const snippetOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);

/**
 * Turns a normalized InboundMessage into stored data in ONE transaction: dedupe, contact,
 * threading with the sender check, message and attachments, conversation update. Events go
 * out after commit.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly db: Database,
    private readonly channels: ChannelRepository,
    private readonly contacts: ContactRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly blobs: BlobStore,
    private readonly publisher: RealtimePublisher,
  ) {}

  async ingest(inbound: InboundMessage, options: IngestOptions = {}): Promise<IngestResult> {
    const channel = await this.channel(inbound.channelId);
    const organizationId = channel.organization_id;
    const fromValue = normalizeIdentity(inbound.from.kind, inbound.from.value);
    const extras = (inbound.extraIdentities ?? []).map((i) => ({ kind: i.kind, value: normalizeIdentity(i.kind, i.value) }));
    if (!inbound.externalId || inbound.externalId.length > 998) throw badRequest('identifiant externe du message invalide');
    const html = inbound.html ? sanitizeEmailHtml(inbound.html) : null;
    const text = (inbound.text || (html ? htmlToText(html) : '')).slice(0, 1_000_000);
    const at = inbound.receivedAt ?? new Date();
    const kind = inbound.kind ?? 'message';

    // Bytes go to the content-addressed store first: a rollback leaves at worst an unreferenced file.
    const files: NewAttachment[] = [];
    for (const a of inbound.attachments ?? []) {
      const { sha256, size } = await this.blobs.put(a.content);
      files.push({ fileName: a.fileName, contentType: a.contentType, size, sha256 });
    }

    try {
      return await this.db.tx(async (m, afterCommit) => {
        // The identity lock serializes a sender's messages, so two deliveries of one event meet
        // here; the second one's message insert then finds the first and rolls everything back.
        const contactId = await this.contacts.resolve(m, organizationId, inbound.from.kind, fromValue, inbound.from.name ?? null);
        for (const extra of extras) {
          await this.contacts.lockIdentity(m, organizationId, extra.kind, extra.value);
          // An identity already held by another citizen is never moved: that would merge two files.
          await this.contacts.addIdentity(m, organizationId, contactId, extra.kind, extra.value);
        }

        const snippet = snippetOf(text);
        const matched = await this.matchConversation(m, organizationId, contactId, inbound);
        const append = matched && matched.contact_id === contactId && matched.status !== 'closed';
        const conversation = append
          ? await this.conversations.touchInbound(m, matched.id, { at, snippet, channelKind: channel.kind, reopen: !inbound.autoReply })
          : // No match, a closed file, or a match that belongs to another citizen: a new file for this
            // sender, flagged as possibly related so an agent can link or merge it knowingly.
            await this.conversations.openInbound(m, {
              organizationId,
              contactId,
              teamId: options.teamId ?? channel.team_id,
              subject: inbound.subject?.trim().slice(0, 300) || null,
              possiblyRelatedToId: matched?.id ?? null,
              at,
              snippet,
              channelKind: channel.kind,
            });

        const messageId = await this.messages.insertInbound(m, {
          organizationId,
          conversationId: conversation.id,
          direction: 'inbound',
          kind,
          channelId: channel.id,
          body: text,
          htmlBody: html,
          status: 'received',
          externalId: inbound.externalId,
          meta: { ...(inbound.meta ?? {}), ...(inbound.autoReply ? { autoReply: true } : {}) },
          createdAt: at,
        });
        if (!messageId) throw new DuplicateDelivery();
        const attachments = await this.messages.insertAttachments(m, organizationId, messageId, files);

        const message: MessageDto = {
          id: messageId,
          conversationId: conversation.id,
          direction: 'inbound',
          kind,
          channelId: channel.id,
          channelKind: channel.kind,
          authorAgentId: null,
          body: text,
          htmlBody: html,
          status: 'received',
          error: null,
          attachments,
          createdAt: at.toISOString(),
        };
        afterCommit(() => {
          const dto = toConversationDto(conversation);
          // The message first: it is what the agent waits for; the list row follows.
          this.publisher.message('message.created', organizationId, dto, message);
          this.publisher.conversation(append ? 'conversation.updated' : 'conversation.created', organizationId, dto);
        });
        return { messageId, conversationId: conversation.id, contactId, created: true, newConversation: !append };
      });
    } catch (e) {
      if (!(e instanceof DuplicateDelivery)) throw e;
      const existing = (await this.messages.byExternalId(channel.id, inbound.externalId))!;
      return { messageId: existing.id, conversationId: existing.conversation_id, contactId: existing.contact_id, created: false, newConversation: false };
    }
  }

  /** Channels rarely change; a short cache spares a query per message on busy mailboxes. */
  private readonly channelCache = new Map<string, { row: ChannelRow; until: number }>();

  private async channel(id: string): Promise<ChannelRow> {
    const hit = this.channelCache.get(id);
    if (hit && hit.until > Date.now()) return hit.row;
    const row = await this.channels.find(null, id);
    if (!row) throw notFound('canal');
    if (this.channelCache.size > 1000) this.channelCache.clear();
    this.channelCache.set(id, { row, until: Date.now() + CHANNEL_CACHE_MS });
    return row;
  }

  /**
   * Threading rules in order (ARCHITECTURE.md): a conversation proven by a signed token,
   * In-Reply-To/References, a quoted GU reference, then the contact's latest open conversation.
   * The caller checks that the match belongs to the sender.
   */
  private async matchConversation(
    m: EntityManager,
    organizationId: string,
    contactId: string,
    inbound: InboundMessage,
  ): Promise<ThreadCandidate | null> {
    const t = inbound.thread ?? {};
    if (t.conversationId) {
      const hit = await this.conversations.candidate(m, organizationId, { id: t.conversationId });
      if (hit) return hit;
    }
    if (t.inReplyTo?.length) {
      const hit = await this.conversations.candidate(m, organizationId, { externalIds: t.inReplyTo.slice(0, 50) });
      if (hit) return hit;
    }
    const reference = t.reference ?? (inbound.subject ? findReference(inbound.subject) : null);
    if (reference) {
      const hit = await this.conversations.candidate(m, organizationId, { reference });
      if (hit) return hit;
    }
    return t.latestOpen ? this.conversations.latestOpen(m, contactId) : null;
  }
}
