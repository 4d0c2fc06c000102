import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable listeners of domain events run exactly once per (event, listener): the mark is
 * inserted in the listener's own transaction (modules/events/domain-event-bus.ts), so a job
 * delivered twice finds it and does nothing.
 */
export class DomainEventReceipts1764600000011 implements MigrationInterface {
  name = 'DomainEventReceipts1764600000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS domain_event_receipt (
        event_id uuid NOT NULL,
        listener text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, listener)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS domain_event_receipt`);
  }
}
