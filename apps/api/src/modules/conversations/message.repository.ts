import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  NOTICE_NOT_SENT,
  type AttachmentDto,
  type ChannelKind,
  type DeliveryStatus,
  type MessageDirection,
  type MessageDto,
  type MessageKind,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { withInlineParts } from './inline-parts';
import { Database } from '../../common/database';
import { lastInboundAtSql } from './conversation.mapper';
import { pgJson } from '../../common/pg-text';

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: MessageDirection;
  kind: MessageKind;
  channel_id: string | null;
  channel_kind: ChannelKind | null;
  author_agent_id: string | null;
  body: string;
  html_body: string | null;
  status: DeliveryStatus;
  error: string | null;
  created_at: Date;
  sort_key: string;
  /** An e-mail's inline images (see withInlineParts). */
  inline_images: Record<string, string> | null;
  listed_too: string[] | null;
  sender_deduced: MessageDto['senderDeduced'] | null;
  acknowledgement: MessageDto['acknowledgement'] | null;
  survey: MessageDto['survey'] | null;
  notice: MessageDto['notice'] | null;
  letter: MessageDto['letter'] | null;
  posted_at: string | null;
  skipped: boolean;
  attachments: AttachmentDto[];
}

/**
 * SQL: the message `m` is a registrant's notice the outbound claim did not send (its registration,
 * event or session cancelled before: MessageDto.skipped), never to be sent again.
 */
export const SKIPPED_NOTICE = `(m.status = 'failed' AND m.meta ? 'municipalEvent' AND starts_with(m.error, '${NOTICE_NOT_SENT}'))`;

const COLUMNS = `m.id, m.conversation_id, m.direction, m.kind, m.channel_id, ch.kind AS channel_kind, m.author_agent_id,
  m.body, m.html_body, m.status, m.error, m.created_at, m.meta->'inlineImages' AS inline_images, m.meta->'listedToo' AS listed_too,
  m.meta->>'senderDeduced' AS sender_deduced, m.meta->>'acknowledgement' AS acknowledgement, m.meta->>'survey' AS survey,
  m.meta->'formNotice' AS notice, m.meta->'letter' AS letter, m.meta->>'postedAt' AS posted_at,
  ${SKIPPED_NOTICE} AS skipped, to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS sort_key,
  coalesce((SELECT json_agg(json_build_object('id', a.id, 'fileName', a.file_name, 'contentType', a.content_type,
                                              'size', a.size, 'sha256', a.sha256) ORDER BY a.created_at, a.id)
              FROM attachment a WHERE a.message_id = m.id), '[]') AS attachments`;

export interface NewMessage {
  organizationId: string;
  conversationId: string;
  direction: MessageDirection;
  kind: MessageKind;
  channelId: string | null;
  authorAgentId?: string | null;
  body: string;
  htmlBody?: string | null;
  status: DeliveryStatus;
  externalId?: string | null;
  meta?: Record<string, unknown> | null;
  createdAt?: Date;
}

/** The INSERT of `insertOutboundMany` from `$1` (newMessagesJson), `join` added to its source rows. */
const insertManySql = (join: string) => `
  INSERT INTO message (id, organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, html_body,
                       status, external_id, meta, created_at)
  SELECT x.id, x.organization_id, x.conversation_id, x.direction, x.kind, x.channel_id, x.author_agent_id, x.body, x.html_body,
         x.status, x.external_id, x.meta, coalesce(x.created_at, now())
    FROM jsonb_to_recordset($1::jsonb) AS x(ord int, id uuid, organization_id uuid, conversation_id uuid, direction text, kind text,
           channel_id uuid, author_agent_id uuid, body text, html_body text, status text, external_id text, meta jsonb,
           created_at timestamptz) ${join}
   ORDER BY x.ord`;

const newMessagesJson = (list: NewMessage[], ids: string[]) =>
  pgJson(
    list.map((m, ord) => ({
      ord,
      id: ids[ord],
      organization_id: m.organizationId,
      conversation_id: m.conversationId,
      direction: m.direction,
      kind: m.kind,
      channel_id: m.channelId,
      author_agent_id: m.authorAgentId ?? null,
      body: m.body,
      html_body: m.htmlBody ?? null,
      status: m.status,
      external_id: m.externalId ?? null,
      meta: m.meta ?? null,
      created_at: m.createdAt?.toISOString() ?? null,
    })),
  );

export interface AttachmentAccessRow {
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  conversation_id: string;
  contact_id: string;
  organization_id: string;
  team_id: string;
  assignee_id: string | null;
}

export interface NewAttachment {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

@Injectable()
export class MessageRepository {
  constructor(private readonly db: Database) {}

  async insert(manager: EntityManager, m: NewMessage): Promise<string> {
    const [row] = await manager.query(
      `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, author_agent_id, body, html_body,
                            status, external_id, meta, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, now())) RETURNING id`,
      [
        m.organizationId,
        m.conversationId,
        m.direction,
        m.kind,
        m.channelId,
        m.authorAgentId ?? null,
        m.body,
        m.htmlBody ?? null,
        m.status,
        m.externalId ?? null,
        m.meta ? pgJson(m.meta) : null,
        m.createdAt ?? null,
      ],
    );
    return row.id;
  }

  /**
   * Several messages of the town hall in one statement (a sweep's reminders, a notice to every
   * registrant; same columns and defaults as `insert`), their ids (made here) in the order given;
   * each conversation's row written once with them: its activity and snippet (the last given for
   * it), read, version bumped, and their words appended to its search document. The statement trigger of `message` would add
   * the words in a second UPDATE of each conversation (a second row version, every index entered
   * again, its whole search document in the GIN index again): it is told they are there already,
   * as guichet_ingest_message() tells it (IngestSearchInline1764856000000), for this statement only.
   */
  async insertOutboundMany(
    manager: EntityManager,
    list: NewMessage[],
    touches: { id: string; snippet: string; channelKind: ChannelKind | null }[],
  ): Promise<string[]> {
    if (!list.length) return [];
    const ids = list.map(() => randomUUID());
    const last = new Map(touches.map((v) => [v.id, v]));
    await manager.query(
      `WITH flag AS MATERIALIZED (SELECT set_config('guichet.ingest_search', 'on', true) AS v),
            ins AS (${insertManySql('CROSS JOIN flag')} RETURNING id, conversation_id, search, created_at),
            words AS (SELECT conversation_id, guichet_search_agg(search ORDER BY created_at, id) AS doc FROM ins GROUP BY conversation_id)
       UPDATE conversation c SET
         last_message_at = GREATEST(c.last_message_at, now()),
         snippet = t.snippet, last_channel_kind = coalesce(t.channel_kind, c.last_channel_kind), unread = false,
         version = c.version + 1,
         messages_search = CASE WHEN coalesce(w.doc, ''::tsvector) = ''::tsvector THEN c.messages_search
                                ELSE guichet_search_concat(c.messages_search, w.doc) END
         FROM jsonb_to_recordset($2::jsonb) AS t(id uuid, snippet text, channel_kind text)
         LEFT JOIN words w ON w.conversation_id = t.id
        WHERE c.id = t.id`,
      [
        newMessagesJson(list, ids),
        pgJson([...last.values()].map((v) => ({ id: v.id, snippet: v.snippet, channel_kind: v.channelKind }))),
      ],
    );
    // Every later INSERT of the transaction is the trigger's again.
    await manager.query(`SELECT set_config('guichet.ingest_search', 'off', true)`);
    return ids;
  }

  /** The keys of `meta` given, merged into the message's; and its text when given (a call's steps). */
  async mergeMeta(manager: EntityManager, id: string, meta: Record<string, unknown>, body?: string): Promise<void> {
    await manager.query(
      `UPDATE message SET body = coalesce($3, body), meta = coalesce(meta, '{}'::jsonb) || $2::jsonb WHERE id = $1`,
      [id, pgJson(meta), body ?? null],
    );
  }

  /** Inserts the attachment rows in one statement; answers them as DTOs, in order. */
  async insertAttachments(
    manager: EntityManager,
    organizationId: string,
    messageId: string,
    list: NewAttachment[],
  ): Promise<AttachmentDto[]> {
    if (!list.length) return [];
    const rows: { id: string; ord: number }[] = await manager.query(
      // One transaction's rows share now(): a microsecond apart, they read back in the order given (created_at, id).
      `INSERT INTO attachment (organization_id, message_id, file_name, content_type, size, sha256, created_at)
       SELECT $1, $2, a.file_name, a.content_type, a.size, a.sha256, now() + (a.ord - 1) * interval '1 microsecond'
         FROM unnest($3::text[], $4::text[], $5::int[], $6::text[]) WITH ORDINALITY AS a(file_name, content_type, size, sha256, ord)
        ORDER BY a.ord
       RETURNING id`,
      [
        organizationId,
        messageId,
        list.map((a) => a.fileName),
        list.map((a) => a.contentType),
        list.map((a) => a.size),
        list.map((a) => a.sha256),
      ],
    );
    return rows.map((r, i) => ({ id: r.id, ...list[i]! }));
  }

  async byExternalId(
    channelId: string,
    externalId: string,
  ): Promise<{ id: string; conversation_id: string; contact_id: string } | null> {
    const [row] = await this.db.query<{ id: string; conversation_id: string; contact_id: string }>(
      `SELECT m.id, m.conversation_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.channel_id = $1 AND m.external_id = $2`,
      [channelId, externalId],
    );
    return row ?? null;
  }

  async existsExternal(manager: EntityManager, channelId: string, externalId: string): Promise<string | null> {
    const [row] = await manager.query(`SELECT id FROM message WHERE channel_id = $1 AND external_id = $2`, [
      channelId,
      externalId,
    ]);
    return row?.id ?? null;
  }

  /** An attachment with what the access check needs about its conversation. */
  async attachment(organizationId: string, id: string): Promise<AttachmentAccessRow | null> {
    const [row] = await this.db.query<AttachmentAccessRow>(
      `SELECT a.file_name, a.content_type, a.size, a.sha256, m.conversation_id, c.contact_id, c.organization_id, c.team_id, c.assignee_id
         FROM attachment a JOIN message m ON m.id = a.message_id JOIN conversation c ON c.id = m.conversation_id
        WHERE a.organization_id = $1 AND a.id = $2`,
      [organizationId, id],
    );
    return row ?? null;
  }

  /** When the citizen last wrote on this kind of channel (24-hour windows). */
  async lastInboundAt(conversationId: string, channelKind: ChannelKind, manager?: EntityManager): Promise<Date | null> {
    const [row] = await this.db.query<{ at: Date | null }>(
      `SELECT ${lastInboundAtSql('$1', '$2')} AS at`,
      [conversationId, channelKind],
      manager,
    );
    return row?.at ?? null;
  }

  /** A message with its files, in one statement (each status change an outbound send tells reads it). */
  async findDto(id: string, manager?: EntityManager): Promise<MessageDto | null> {
    const [row] = await this.db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id WHERE m.id = $1`,
      [id],
      manager,
    );
    return row ? toDto(row) : null;
  }

  /** Several messages by id (in no particular order); ids that no longer exist are left out. */
  async findDtos(ids: string[], manager?: EntityManager): Promise<MessageDto[]> {
    if (!ids.length) return [];
    const rows = await this.db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id WHERE m.id = ANY($1::uuid[])`,
      [ids],
      manager,
    );
    return rows.map(toDto);
  }

  /**
   * One page of a conversation's timeline: the newest `limit` messages before the cursor,
   * returned oldest first; `nextCursor` pages further back in time.
   */
  async page(
    conversationId: string,
    limit: number,
    before: [string, string] | null,
    opts: { publicOnly?: boolean } = {},
  ): Promise<{ items: MessageDto[]; next: [string, string] | null }> {
    const params: unknown[] = [conversationId, limit + 1];
    let where = 'm.conversation_id = $1';
    if (before) {
      params.push(before[0], before[1]);
      where += ` AND (m.created_at, m.id) < ($3::timestamptz, $4::uuid)`;
    }
    // The tracking page shows the exchange, not the notices that sent the citizen to it.
    if (opts.publicOnly) where += ` AND m.kind = 'message' AND NOT (coalesce(m.meta, '{}'::jsonb) ? 'formNotice')`;
    const rows = await this.db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id
        WHERE ${where} ORDER BY m.created_at DESC, m.id DESC LIMIT $2`,
      params,
    );
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit);
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map(toDto).reverse(),
      next: more && last ? [last.sort_key, last.id] : null,
    };
  }

  /** Every message of the conversation, oldest first, read page by page (`page`'s options). */
  async all(conversationId: string, opts: { publicOnly?: boolean } = {}): Promise<MessageDto[]> {
    const pages: MessageDto[][] = [];
    let before: [string, string] | null = null;
    do {
      const { items, next } = await this.page(conversationId, 500, before, opts);
      pages.unshift(items);
      before = next;
    } while (before);
    return pages.flat();
  }

  async setStatus(
    manager: EntityManager | undefined,
    id: string,
    status: DeliveryStatus,
    v: { error?: string | null; externalId?: string | null } = {},
  ): Promise<void> {
    await this.db.query(
      `UPDATE message SET status = $2, error = $3, external_id = coalesce($4, external_id) WHERE id = $1`,
      [id, status, v.error ?? null, v.externalId ?? null],
      manager,
    );
  }

  /** `setStatus` of several messages (a group of sends' outcomes), in one statement. */
  async setStatuses(
    manager: EntityManager,
    list: { id: string; status: DeliveryStatus; error?: string | null; externalId?: string | null }[],
  ): Promise<void> {
    if (!list.length) return;
    await this.db.query(
      `UPDATE message m SET status = x.status, error = x.error, external_id = coalesce(x.external_id, m.external_id)
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, status text, error text, external_id text)
        WHERE m.id = x.id`,
      [pgJson(list.map((v) => ({ id: v.id, status: v.status, error: v.error ?? null, external_id: v.externalId ?? null })))],
      manager,
    );
  }

  /**
   * A printed letter an agent posted: « envoyé par courrier », when and by whom. Only a letter still
   * waiting (queued) moves; answers whether it did.
   */
  async markPosted(manager: EntityManager, id: string, agentId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE message SET status = 'sent', error = NULL,
              meta = coalesce(meta, '{}'::jsonb) || jsonb_build_object('postedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'postedBy', $2::text)
        WHERE id = $1 AND direction = 'outbound' AND kind = 'message' AND status = 'queued' RETURNING id`,
      [id, agentId],
      manager,
    );
    return rows.length > 0;
  }

  /**
   * The town hall's letters of this conversation still waiting to be printed and posted (queued,
   * on a channel of `postalKinds`), withdrawn: `failed` with `reason`, when and by whom in their
   * meta (`withdrawnAt`, `withdrawnBy`); no longer printed, posted or sent again. Answers their ids.
   */
  async withdrawUnposted(
    manager: EntityManager,
    conversationId: string,
    postalKinds: readonly string[],
    reason: string,
    agentId: string,
  ): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE message m SET status = 'failed', error = $3,
              meta = coalesce(m.meta, '{}'::jsonb) || jsonb_build_object('withdrawnAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'withdrawnBy', $4::text)
         FROM channel ch
        WHERE m.conversation_id = $1 AND ch.id = m.channel_id AND ch.kind = ANY($2::text[])
          AND m.direction = 'outbound' AND m.kind = 'message' AND m.status = 'queued'
        RETURNING m.id`,
      [conversationId, postalKinds, reason, agentId],
      manager,
    );
    return rows.map((r) => r.id);
  }

  /**
   * A provider's id for an outbound message it echoed back (a Meta echo of our own send), unless
   * the message has one already or another message of the channel holds that id. Answers the id
   * the message holds now, or null when none was recorded.
   */
  async linkEcho(manager: EntityManager, channelId: string, messageId: string, externalId: string): Promise<string | null> {
    const [row] = await this.db.query<{ external_id: string }>(
      `UPDATE message SET external_id = coalesce(external_id, $3)
        WHERE id = $2 AND channel_id = $1 AND direction = 'outbound'
          AND NOT EXISTS (SELECT 1 FROM message o WHERE o.channel_id = $1 AND o.external_id = $3 AND o.id <> $2)
        RETURNING external_id`,
      [channelId, messageId, externalId],
      manager,
    );
    return row?.external_id ?? null;
  }

  /** The citizen read these messages (a provider's read receipt): the first time is kept. */
  async markReadByCitizen(manager: EntityManager, ids: string[], at: Date): Promise<void> {
    await this.db.query(
      `UPDATE message SET meta = coalesce(meta, '{}'::jsonb) || jsonb_build_object('readAt', $2::text)
        WHERE id = ANY($1::uuid[]) AND (meta->>'readAt') IS NULL`,
      [ids, at.toISOString()],
      manager,
    );
  }
}

function toDto(r: MessageRow): MessageDto {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    kind: r.kind,
    channelId: r.channel_id,
    channelKind: r.channel_kind,
    authorAgentId: r.author_agent_id,
    body: r.body,
    htmlBody: r.html_body,
    status: r.status,
    error: r.error,
    attachments: withInlineParts(r.attachments, { inlineImages: r.inline_images, listedToo: r.listed_too }),
    ...(r.sender_deduced ? { senderDeduced: r.sender_deduced } : {}),
    ...(r.acknowledgement ? { acknowledgement: r.acknowledgement } : {}),
    ...(r.survey ? { survey: r.survey } : {}),
    ...(r.notice ? { notice: r.notice } : {}),
    ...(r.letter ? { letter: r.letter } : {}),
    ...(r.posted_at ? { postedAt: r.posted_at } : {}),
    ...(r.skipped ? { skipped: true as const } : {}),
    createdAt: r.created_at.toISOString(),
  };
}
