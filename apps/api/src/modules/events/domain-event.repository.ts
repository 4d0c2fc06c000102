import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** The marks of durable listeners that ran (migration DomainEventReceipts). */
@Injectable()
export class DomainEventRepository {
  constructor(private readonly db: Database) {}

  /**
   * Marks (event, listener) as handled in the listener's transaction, for each event: the ids
   * that were not marked yet (an event whose job is delivered twice is not run again).
   */
  async markHandled(m: EntityManager, eventIds: string[], listener: string): Promise<Set<string>> {
    const rows: { event_id: string }[] = await m.query(
      `INSERT INTO domain_event_receipt (event_id, listener) SELECT unnest($1::uuid[]), $2
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventIds, listener],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  /**
   * Removes up to `limit` receipts older than `days` (a job cannot be delivered again that late:
   * the queue retries within hours); the number removed.
   */
  async purgeReceipts(days: number, limit: number): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `DELETE FROM domain_event_receipt WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM domain_event_receipt WHERE handled_at < now() - make_interval(days => $1) LIMIT $2))
       RETURNING 1`,
      [days, limit],
    );
    return rows.length;
  }
}
