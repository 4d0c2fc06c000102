import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: how long before an event a citizen may still cancel online through their link
 * (RDV-Solidarités lets citizens cancel up to 4 h before: the default). Later, the registration
 * page tells them to contact the service instead; agents can still cancel.
 */
export class EventCancelCutoff1764861000000 implements MigrationInterface {
  name = 'EventCancelCutoff1764861000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event ADD COLUMN cancel_cutoff_hours int NOT NULL DEFAULT 4
      CHECK (cancel_cutoff_hours BETWEEN 0 AND 720)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event DROP COLUMN IF EXISTS cancel_cutoff_hours`);
  }
}
