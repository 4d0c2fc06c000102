import { Injectable } from '@nestjs/common';
import type { MetaKind } from '@guichet/channels';
import type { DeliveryStatus, IdentityKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

export interface MetaMessageRef {
  id: string;
  organization_id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  status: DeliveryStatus;
  external_id: string | null;
  meta: Record<string, unknown> | null;
  created_at: Date;
}

export interface CommentRef {
  id: string;
  channel_id: string;
  channel_kind: MetaKind;
  external_id: string;
  created_at: Date;
  meta: Record<string, unknown>;
}

/** SQL of the Meta channels (webhooks, comment actions, follow-up jobs). */
@Injectable()
export class MetaRepository {
  constructor(private readonly db: Database) {}

  async messageByExternalId(channelId: string, externalId: string, manager?: EntityManager): Promise<MetaMessageRef | null> {
    const [row] = await this.db.query<MetaMessageRef>(
      `SELECT id, organization_id, conversation_id, direction, status, external_id, meta, created_at
         FROM message WHERE channel_id = $1 AND external_id = $2`,
      [channelId, externalId],
      manager,
    );
    return row ?? null;
  }

  async messageById(
    organizationId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<(MetaMessageRef & { channel_id: string | null; kind: string; body: string }) | null> {
    const [row] = await this.db.query<MetaMessageRef & { channel_id: string | null; kind: string; body: string }>(
      `SELECT id, organization_id, conversation_id, direction, status, external_id, meta, created_at, channel_id, kind, body
         FROM message WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
      manager,
    );
    return row ?? null;
  }

  /** Outbound messages to this citizen on this channel created before a receipt's watermark. */
  async outboundBefore(
    channelId: string,
    kind: IdentityKind,
    value: string,
    watermark: Date,
    statuses: DeliveryStatus[],
  ): Promise<{ id: string; external_id: string | null; status: DeliveryStatus }[]> {
    return this.db.query(
      `SELECT m.id, m.external_id, m.status FROM message m
         JOIN conversation c ON c.id = m.conversation_id
         JOIN contact_identity i ON i.contact_id = c.contact_id AND i.kind = $2 AND i.value = $3
        WHERE m.channel_id = $1 AND m.direction = 'outbound' AND m.kind = 'message'
          AND m.status = ANY($5::text[]) AND m.created_at <= $4
        ORDER BY m.created_at DESC LIMIT 200`,
      [channelId, kind, value, watermark, statuses],
    );
  }

  /** The conversation of one commenter under one post (thread key `comment:<post>:<author>`). */
  async conversationByThreadKey(manager: EntityManager, channelId: string, threadKey: string): Promise<string | null> {
    const [row] = await manager.query(
      `SELECT conversation_id FROM message WHERE channel_id = $1 AND meta->>'threadKey' = $2 ORDER BY created_at DESC LIMIT 1`,
      [channelId, threadKey],
    );
    return row?.conversation_id ?? null;
  }

  /** A comment of this conversation: the given one, or the citizen's latest. */
  async comment(conversationId: string, commentId?: string, manager?: EntityManager): Promise<CommentRef | null> {
    const [row] = await this.db.query<CommentRef>(
      `SELECT id, channel_id, (SELECT kind FROM channel WHERE channel.id = message.channel_id) AS channel_kind, external_id, created_at, meta FROM message
        WHERE conversation_id = $1 AND direction = 'inbound' AND meta->>'source' = 'comment'
          ${commentId ? 'AND external_id = $2' : ''}
        ORDER BY created_at DESC LIMIT 1`,
      commentId ? [conversationId, commentId] : [conversationId],
      manager,
    );
    return row ?? null;
  }

  /** Meta accepts one private reply per comment. */
  async privateReplyExists(manager: EntityManager, conversationId: string, commentId: string): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM message WHERE conversation_id = $1 AND direction = 'outbound' AND meta->>'source' = 'private-reply'
          AND meta->>'commentId' = $2 AND status <> 'failed' LIMIT 1`,
      [conversationId, commentId],
    );
    return rows.length > 0;
  }

  async attachmentCount(messageId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM attachment WHERE message_id = $1`, [
      messageId,
    ]);
    return row?.n ?? 0;
  }

  async hasPostEvent(conversationId: string, postId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM message WHERE conversation_id = $1 AND kind = 'event' AND meta->>'source' = 'post' AND meta->>'postId' = $2 LIMIT 1`,
      [conversationId, postId],
    );
    return rows.length > 0;
  }

  /** Open conversations of a contact, to push a refreshed name. */
  async openConversationIds(contactId: string, manager?: EntityManager): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM conversation WHERE contact_id = $1 AND status IN ('open', 'pending', 'snoozed') ORDER BY last_message_at DESC LIMIT 20`,
      [contactId],
      manager,
    );
    return rows.map((r) => r.id);
  }

  async agentName(agentId: string): Promise<string | null> {
    const [row] = await this.db.query<{ name: string }>(`SELECT name FROM agent WHERE id = $1`, [agentId]);
    return row?.name ?? null;
  }

  /**
   * Where a direct message of this citizen goes when their latest open file is a comment thread:
   * their latest open file that is not one (null: a new one). Undefined when the plain
   * "latest open conversation" rule already fits.
   */
  async directMessageTarget(organizationId: string, kind: IdentityKind, value: string): Promise<string | null | undefined> {
    const rows = await this.db.query<{ id: string; comment: boolean }>(
      `SELECT c.id, EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id AND m.meta->>'source' = 'comment') AS comment
         FROM contact_identity i JOIN conversation c ON c.contact_id = i.contact_id
        WHERE i.organization_id = $1 AND i.kind = $2 AND i.value = $3 AND c.status IN ('open', 'pending', 'snoozed')
        ORDER BY c.last_message_at DESC LIMIT 20`,
      [organizationId, kind, value],
    );
    if (!rows.length || !rows[0]!.comment) return undefined;
    return rows.find((r) => !r.comment)?.id ?? null;
  }
}
