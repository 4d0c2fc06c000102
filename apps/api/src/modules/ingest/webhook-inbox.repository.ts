import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** A webhook to store: its raw body and the keys the inbox dedupes and orders it by. */
export interface InboxEntry {
  channelId: string;
  /** Which handler processes it (`twilio-sms`, `meta`…). */
  kind: string;
  /** The provider's id of the event: a retry of the same event stores nothing. */
  dedupeKey: string;
  /** The rows of one key are processed one after the other, in arrival order. */
  orderKey: string;
  /** The body as received (its signature checked), parsed again when processed. */
  payload: string;
  /** Seconds the storing instance keeps the row to itself (it processes it from memory); 0: none. */
  leaseSeconds?: number;
}

/** A stored webhook taken by a drainer. */
export interface InboxRow {
  id: string;
  channel_id: string;
  kind: string;
  order_key: string;
  payload: string;
  received_at: Date;
  attempts: number;
}

/** How a taken row ended: processed (deleted), refused (failed, with its reason) or to try again later. */
export type InboxOutcome = { id: string } & ({ done: true } | { done: false; error: string; failed: boolean });

export interface InboxStats {
  waiting: number;
  failed: number;
  /** Seconds the oldest waiting row has waited (0: none waits). */
  oldest_seconds: number;
}

/** The SQL of the webhook inbox (migration WebhookInbox1765095000000). */
@Injectable()
export class WebhookInboxRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores a batch of webhooks in one autocommit statement (group commit): for each entry, in
   * order, whether it was stored now (false: the same event is already there, waiting or failed).
   * Rows get their ids in the order of the batch.
   */
  async insert(entries: InboxEntry[]): Promise<(InboxRow | null)[]> {
    const rows = await this.db.query<{ ord: string; id: string; received_at: Date }>(
      `WITH x AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
           WITH ORDINALITY AS x(channel_id, kind, dedupe_key, order_key, payload, lease, ord)),
       i AS (
         INSERT INTO webhook_inbox (channel_id, kind, dedupe_key, order_key, payload, lease_until)
         SELECT channel_id, kind, dedupe_key, order_key, payload,
                CASE WHEN lease > 0 THEN now() + lease * interval '1 second' END
           FROM x ORDER BY ord
         ON CONFLICT (channel_id, dedupe_key) DO NOTHING
         RETURNING id, channel_id, dedupe_key, received_at)
       SELECT min(x.ord)::text AS ord, i.id::text AS id, i.received_at
         FROM i JOIN x USING (channel_id, dedupe_key) GROUP BY i.id, i.received_at`,
      [
        entries.map((e) => e.channelId),
        entries.map((e) => e.kind),
        entries.map((e) => e.dedupeKey),
        entries.map((e) => e.orderKey),
        entries.map((e) => e.payload),
        entries.map((e) => e.leaseSeconds ?? 0),
      ],
    );
    const stored = new Map(rows.map((r) => [Number(r.ord), r]));
    return entries.map((e, i) => {
      const r = stored.get(i + 1);
      return r
        ? {
            id: r.id,
            channel_id: e.channelId,
            kind: e.kind,
            order_key: e.orderKey,
            payload: e.payload,
            received_at: r.received_at,
            attempts: 0,
          }
        : null;
    });
  }

  /**
   * Takes (locks, in the caller's transaction, until it ends) up to `limit` waiting rows, oldest
   * first, skipping those another drainer holds; of those, only the rows with no earlier waiting
   * row of their order key outside the batch are returned (an earlier one held elsewhere or
   * delayed goes first: arrival order per conversation holds across instances).
   */
  claim(m: EntityManager, limit: number): Promise<InboxRow[]> {
    return this.db.query<InboxRow>(
      `WITH c AS MATERIALIZED (
         SELECT id, order_key FROM webhook_inbox
          WHERE failed_at IS NULL AND available_at <= now() AND (lease_until IS NULL OR lease_until < now())
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       SELECT w.id::text AS id, w.channel_id, w.kind, w.order_key, w.payload, w.received_at, w.attempts
         FROM c JOIN webhook_inbox w ON w.id = c.id
        WHERE NOT EXISTS (
          SELECT 1 FROM webhook_inbox e
           WHERE e.order_key = c.order_key AND e.id < c.id AND e.failed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM c c2 WHERE c2.id = e.id))
        ORDER BY w.id`,
      [limit],
      m,
    );
  }

  /**
   * Ends the taken rows in the caller's transaction: processed ones deleted, refused ones failed
   * with their reason, the others delayed (5 s more at each attempt, a minute at most).
   */
  async finish(m: EntityManager | undefined, outcomes: InboxOutcome[]): Promise<void> {
    const done = outcomes.filter((o) => o.done).map((o) => o.id);
    const left = outcomes.filter((o): o is InboxOutcome & { done: false } => !o.done);
    if (done.length) await this.db.query(`DELETE FROM webhook_inbox WHERE id = ANY($1::bigint[])`, [done], m);
    if (left.length)
      await this.db.query(
        `UPDATE webhook_inbox w
            SET attempts = w.attempts + 1, error = x.error,
                failed_at = CASE WHEN x.failed THEN now() END, lease_until = NULL,
                available_at = now() + least(w.attempts + 1, 12) * interval '5 seconds'
           FROM unnest($1::bigint[], $2::text[], $3::boolean[]) AS x(id, error, failed)
          WHERE w.id = x.id`,
        [left.map((o) => o.id), left.map((o) => o.error), left.map((o) => o.failed)],
        m,
      );
  }

  /** Rows waiting and failed, and the age of the oldest waiting one (/metrics, back-pressure). */
  async stats(): Promise<InboxStats> {
    const [row] = await this.db.query<InboxStats>(
      `SELECT count(*) FILTER (WHERE failed_at IS NULL)::int AS waiting,
              count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed,
              COALESCE(extract(epoch FROM now() - min(received_at) FILTER (WHERE failed_at IS NULL)), 0)::float8 AS oldest_seconds
         FROM webhook_inbox`,
    );
    return row ?? { waiting: 0, failed: 0, oldest_seconds: 0 };
  }
}
