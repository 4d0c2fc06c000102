import { Injectable } from '@nestjs/common';
import type { ConversationStatus } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { CONVERSATION_COLUMNS, DUE_COLUMNS, LABELS_COLUMN, type ConversationRow } from '../conversations/conversation.mapper';

/** What guichet_ingest() returns for each item of a batch (`ord`: its position, from 1). */
export type IngestRow = Omit<ConversationRow, 'sort_key'> & {
  ord: number;
  message_id: string;
  created: boolean;
  new_conversation: boolean;
  /** The status the message found its file in (null for a new file): IngestPreviousStatus1764873000000. */
  previous_status: ConversationStatus | null;
};

/** An outbox row taken by the relay, with the conversation as it is now. */
export type OutboxRow = Omit<ConversationRow, 'sort_key'> & {
  event_id: string;
  conversation_event_id: string;
  message_id: string;
  new_conversation: boolean;
  occurred_at: Date;
};

/**
 * guichet_ingest() (migrations IngestFunction1764400000000, UnverifiedSenders1764500000000) stores a batch in one statement.
 * The request type, due dates and labels come beside each row, as the statement's snapshot saw them: a
 * message adds to a conversation without changing them, and a new conversation has none yet.
 */
const INGEST_SQL = `SELECT i.*, ${DUE_COLUMNS}, ${LABELS_COLUMN} FROM guichet_ingest($1::jsonb) i LEFT JOIN conversation c ON c.id = i.id`;

/**
 * The same, and in the same statement (so the same transaction) one outbox row per message it
 * stored, with the ids of its events ($2: message events, $3: conversation events, by position
 * in the batch). The function is volatile: the CTE runs it once.
 */
export const INGEST_WITH_OUTBOX_SQL = `
  WITH r AS MATERIALIZED (SELECT * FROM guichet_ingest($1::jsonb)),
  o AS (
    INSERT INTO domain_event_outbox (id, conversation_event_id, organization_id, conversation_id, message_id, new_conversation)
    SELECT ($2::uuid[])[r.ord], ($3::uuid[])[r.ord], r.organization_id, r.id, r.message_id, r.new_conversation
      FROM r WHERE r.created
  )
  SELECT r.*, ${DUE_COLUMNS}, ${LABELS_COLUMN} FROM r LEFT JOIN conversation c ON c.id = r.id`;

/** The SQL of the ingest: the batch statement and its outbox. */
@Injectable()
export class IngestRepository {
  constructor(private readonly db: Database) {}

  /**
   * One autocommit call for a batch (group commit): one round trip, one transaction; with the
   * outbox when `eventIds` (each item's, in batch order) are given.
   */
  ingest(itemsJson: string, eventIds: [string, string][] | null): Promise<IngestRow[]> {
    return eventIds
      ? this.db.query<IngestRow>(INGEST_WITH_OUTBOX_SQL, [itemsJson, eventIds.map((e) => e[0]), eventIds.map((e) => e[1])])
      : this.db.query<IngestRow>(INGEST_SQL, [itemsJson]);
  }

  /**
   * Takes (deletes, in the caller's transaction) up to `limit` outbox rows, oldest first, skipping
   * those another relay holds; rows whose conversation is gone are dropped.
   */
  take(m: EntityManager, limit: number): Promise<OutboxRow[]> {
    return this.db.query<OutboxRow>(
      `WITH t AS (
         DELETE FROM domain_event_outbox WHERE id IN (
           SELECT id FROM domain_event_outbox ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING *)
       SELECT t.id AS event_id, t.conversation_event_id, t.message_id, t.new_conversation, t.created_at AS occurred_at,
              ${CONVERSATION_COLUMNS}
         FROM t JOIN conversation c ON c.id = t.conversation_id
        ORDER BY t.created_at, t.id`,
      [limit],
      m,
    );
  }

  /**
   * Deletes (in the caller's transaction) the rows of these ids that are still there, skipping
   * those another relay holds: the ids deleted.
   */
  async takeByIds(m: EntityManager, ids: string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM domain_event_outbox WHERE id IN (
         SELECT id FROM domain_event_outbox WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [ids],
      m,
    );
    return rows.map((r) => r.id);
  }

  /** How many rows wait (the relay's report, tests). */
  async waiting(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM domain_event_outbox`);
    return row?.n ?? 0;
  }
}
