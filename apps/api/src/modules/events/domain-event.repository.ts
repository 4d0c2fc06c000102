import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';

/** The marks of durable listeners that ran (migration DomainEventReceipts). */
@Injectable()
export class DomainEventRepository {
  constructor(private readonly db: Database) {}

  /**
   * Marks (event, listener) as handled in the listener's transaction; false if it already was
   * (a job delivered twice), and then the listener does not run again.
   */
  async markHandled(m: EntityManager, eventId: string, listener: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO domain_event_receipt (event_id, listener) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventId, listener],
    );
    return rows.length > 0;
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
