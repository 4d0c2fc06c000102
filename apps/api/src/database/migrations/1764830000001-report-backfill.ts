import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files written before the reports' listener existed (an upgraded installation, the demo town)
 * are counted once by a backfill (ReportBackfill); this row says it ran.
 */
export class ReportBackfill1764830000001 implements MigrationInterface {
  name = 'ReportBackfill1764830000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE report_backfill (id boolean PRIMARY KEY DEFAULT true CHECK (id), done_at timestamptz NOT NULL DEFAULT now())`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_backfill`);
  }
}
