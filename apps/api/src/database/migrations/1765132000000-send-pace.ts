import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: bulk sends (an event's reminders, the notice of its change) leave at the installation's
 * pace (BULK_SENDS_PER_SECOND): `send_pace` holds, per pace, when its next slot is free. One row
 * per pace, updated by the transaction that queues a batch (its jobs start at its slots), so
 * batches of several sweeps, organizations and instances line up. Unlogged: after a crash of the
 * database server the pace starts again from now, which sends nothing twice and loses nothing.
 */
export class SendPace1765132000000 implements MigrationInterface {
  name = 'SendPace1765132000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNLOGGED TABLE send_pace (key text PRIMARY KEY, next_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE send_pace`);
  }
}
