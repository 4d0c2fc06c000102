import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `quarantine.discarded_at` has had no use since a discarded mail leaves the table at once
 * (QuarantinePurge1765091000000): no row can carry it. The mailbox's list of quarantined mails
 * keeps its index, without the condition on the column.
 *
 * Down brings the column back (null everywhere, as every row is now) and the partial index.
 */
export class QuarantineNoDiscardedAt1765098000000 implements MigrationInterface {
  name = 'QuarantineNoDiscardedAt1765098000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX quarantine_channel_idx`);
    await q.query(`ALTER TABLE quarantine DROP COLUMN discarded_at`);
    await q.query(`CREATE INDEX quarantine_channel_idx ON quarantine (channel_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX quarantine_channel_idx`);
    await q.query(`ALTER TABLE quarantine ADD COLUMN discarded_at timestamptz`);
    await q.query(`CREATE INDEX quarantine_channel_idx ON quarantine (channel_id, created_at DESC) WHERE discarded_at IS NULL`);
  }
}
