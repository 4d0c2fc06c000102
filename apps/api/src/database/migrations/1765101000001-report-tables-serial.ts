import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The aggregate tables reports read (migrations ReportsAndSatisfaction1764830000000 and after). */
const TABLES = [
  'report_daily',
  'report_monthly',
  'report_team_monthly',
  'report_duration',
  'report_duration_monthly',
  'report_label_daily',
  'report_label_monthly',
  'report_label_team_monthly',
  'report_label_duration',
  'report_label_duration_monthly',
  'report_agent_daily',
  'report_agent_duration',
];

/**
 * Reports (issue 15, speed at scale): the aggregate tables are read without parallel workers.
 *
 * A report sends a few small statements at once (its sums, its backlog, the names, the freshness),
 * each reading at most a few tens of thousands of narrow rows through an index; many supervisors
 * ask at the same time. A parallel plan's Gather costs more to start its workers than they save
 * there (60 of 67 ms on a loaded machine for a backlog of six years), and takes cores from the
 * other statements. The backlog's read used to say so in a transaction of its own (BEGIN, SET
 * LOCAL max_parallel_workers_per_gather = 0, the read, COMMIT: four round trips on the report's
 * slowest path); the tables say it now (`parallel_workers` 0: the planner plans no parallel scan
 * of them), and every read is one statement.
 */
export class ReportTablesSerial1765101000001 implements MigrationInterface {
  name = 'ReportTablesSerial1765101000001';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`ALTER TABLE ${table} SET (parallel_workers = 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`ALTER TABLE ${table} RESET (parallel_workers)`);
  }
}
