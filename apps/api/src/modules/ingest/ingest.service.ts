import { Injectable } from '@nestjs/common';
import { htmlToText, sanitizeEmailHtml } from '@guichet/channels';
import { findReference, normalizeIdentity, type InboundMessage, type IdentityKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';
import { badRequest, notFound } from '../../common/errors';
import { BlobStore } from '../blobs/blob-store';
import { ChannelRepository } from '../channels/channel.repository';
import { ContactRepository } from '../contacts/contact.repository';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository } from '../conversations/conversation.repository';
import { MessageRepository } from '../messages/message.repository';
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
    const channel = await this.channels.find(null, inbound.channelId);
    if (!channel) throw notFound('canal');
    const organizationId = channel.organization_id;
    const fromValue = normalizeIdentity(inbound.from.kind, inbound.from.value);
    const extras = (inbound.extraIdentities ?? []).map((i) => ({ kind: i.kind, value: normalizeIdentity(i.kind, i.value) }));
    if (!inbound.externalId || inbound.externalId.length > 998) throw badRequest('identifiant externe du message invalide');
    const html = inbound.html ? sanitizeEmailHtml(inbound.html) : null;
    const text = (inbound.text || (html ? htmlToText(html) : '')).slice(0, 1_000_000);
    const at = inbound.receivedAt ?? new Date();

    // Bytes go to the content-addressed store first: a rollback leaves at worst an unreferenced file.
    const attachments: { fileName: string; contentType: string; size: number; sha256: string }[] = [];
    for (const a of inbound.attachments ?? []) {
      const { sha256, size } = await this.blobs.put(a.content);
      attachments.push({ fileName: a.fileName, contentType: a.contentType, size, sha256 });
    }

    return this.db.tx(async (m, afterCommit) => {
      // Concurrent deliveries of the same event wait for each other here, then see the first one's row.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`ingest:${channel.id}:${inbound.externalId}`]);
      const existing = await this.messages.existsExternal(m, channel.id, inbound.externalId);
      if (existing) {
        const [row] = await m.query(
          `SELECT m.conversation_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE m.id = $1`,
          [existing],
        );
        return { messageId: existing, conversationId: row.conversation_id, contactId: row.contact_id, created: false, newConversation: false };
      }

      const contactId = await this.resolveContact(m, organizationId, inbound.from.kind, fromValue, inbound.from.name ?? null);
      for (const extra of extras) {
        await this.contacts.lockIdentity(m, organizationId, extra.kind, extra.value);
        // An identity already held by another citizen is never moved: that would merge two files.
        await this.contacts.addIdentity(m, organizationId, contactId, extra.kind, extra.value);
      }

      const matched = await this.matchConversation(m, organizationId, contactId, inbound);
      let conversationId: string;
      let newConversation = false;
      if (matched && matched.contactId === contactId && matched.status !== 'closed') {
        conversationId = matched.id;
      } else {
        // No match, a closed file, or a match that belongs to another citizen: a new file for this
        // sender, flagged as possibly related so an agent can link or merge it knowingly.
        newConversation = true;
        conversationId = await this.conversations.insert(m, {
          organizationId,
          contactId,
          teamId: options.teamId ?? channel.team_id,
          subject: inbound.subject?.trim().slice(0, 300) || null,
          possiblyRelatedToId: matched?.id ?? null,
          at,
        });
      }

      const messageId = await this.messages.insert(m, {
        organizationId,
        conversationId,
        direction: 'inbound',
        kind: inbound.kind ?? 'message',
        channelId: channel.id,
        body: text,
        htmlBody: html,
        status: 'received',
        externalId: inbound.externalId,
        meta: { ...(inbound.meta ?? {}), ...(inbound.autoReply ? { autoReply: true } : {}) },
        createdAt: at,
      });
      await this.messages.insertAttachments(m, organizationId, messageId, attachments);
      await this.conversations.touchInbound(m, conversationId, {
        at,
        snippet: snippetOf(text),
        channelKind: channel.kind,
        reopen: !inbound.autoReply,
      });

      const conversation = await this.conversations.findById(organizationId, conversationId, m);
      const message = await this.messages.findDto(messageId, m);
      afterCommit(() => {
        if (!conversation || !message) return;
        const dto = toConversationDto(conversation);
        this.publisher.conversation(newConversation ? 'conversation.created' : 'conversation.updated', organizationId, dto);
        this.publisher.message('message.created', organizationId, dto, message);
      });
      return { messageId, conversationId, contactId, created: true, newConversation };
    });
  }

  private async resolveContact(
    m: EntityManager,
    organizationId: string,
    kind: IdentityKind,
    value: string,
    name: string | null,
  ): Promise<string> {
    await this.contacts.lockIdentity(m, organizationId, kind, value);
    const found = await this.contacts.contactIdByIdentity(m, organizationId, kind, value);
    if (found) {
      if (name) await this.contacts.setNameIfEmpty(m, found, name);
      return found;
    }
    const contactId = await this.contacts.create(m, organizationId, name?.trim().slice(0, 200) || null);
    await this.contacts.addIdentity(m, organizationId, contactId, kind, value);
    return contactId;
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
  ): Promise<{ id: string; contactId: string; status: string } | null> {
    const t = inbound.thread ?? {};
    const byId = async (id: string | null) => {
      if (!id) return null;
      const [row] = await m.query(`SELECT id, contact_id, status FROM conversation WHERE organization_id = $1 AND id = $2`, [
        organizationId,
        id,
      ]);
      return row ? { id: row.id as string, contactId: row.contact_id as string, status: row.status as string } : null;
    };
    if (t.conversationId) {
      const hit = await byId(t.conversationId);
      if (hit) return hit;
    }
    if (t.inReplyTo?.length) {
      const hit = await byId(await this.messages.conversationByExternalIds(m, organizationId, t.inReplyTo.slice(0, 50)));
      if (hit) return hit;
    }
    const reference = t.reference ?? (inbound.subject ? findReference(inbound.subject) : null);
    if (reference) {
      const [row] = await m.query(`SELECT id FROM conversation WHERE organization_id = $1 AND reference = $2`, [organizationId, reference]);
      const hit = await byId(row?.id ?? null);
      if (hit) return hit;
    }
    if (t.latestOpen) return byId(await this.conversations.latestOpenId(m, contactId));
    return null;
  }
}
