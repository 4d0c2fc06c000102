import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['report_daily', 'report_monthly', 'report_label_daily'];

/**
 * Reports (issue 15): the share of files resolved within their legal deadline (the decision date
 * of their démarche, CRPA L231-1 / L231-4), beside the share answered within the service's
 * target. A file's fact tells whether it was resolved by its decision date (null: it had none);
 * the daily and monthly rows (and the label rows) count, on the day of the resolution, the files
 * resolved that had one (`resolved_with_deadline`) and those resolved by it (`resolved_on_time`).
 * The backfill's mark is taken away so that every file already counted is counted again once:
 * a fact stored before has no answer and took nothing from these counters (the recount adds
 * what it gives now, nothing twice).
 */
export class ReportLegalDeadline1765093000000 implements MigrationInterface {
  name = 'ReportLegalDeadline1765093000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_conversation ADD COLUMN resolved_on_time boolean`);
    for (const table of TABLES)
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN resolved_with_deadline integer NOT NULL DEFAULT 0,
          ADD COLUMN resolved_on_time integer NOT NULL DEFAULT 0`);
    await q.query(`DELETE FROM report_backfill`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES)
      await q.query(`ALTER TABLE ${table} DROP COLUMN resolved_with_deadline, DROP COLUMN resolved_on_time`);
    await q.query(`ALTER TABLE report_conversation DROP COLUMN resolved_on_time`);
  }
}
