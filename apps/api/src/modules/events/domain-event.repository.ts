import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The marks of durable listeners that ran (migration DomainEventReceipts). */
@Injectable()
export class DomainEventRepository {
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
}
