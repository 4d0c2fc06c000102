import type { MigrationInterface, QueryRunner } from 'typeorm';

// The counters of report_label_daily as they are at this migration.
const COUNTERS = `created reopened resolved resolved_with_deadline resolved_on_time first_responses first_responses_with_target
  first_responses_on_time satisfaction_answers satisfaction_sum calls_received calls_answered calls_missed calls_called_back
  callback_minutes`
  .split(/\s+/)
  .filter(Boolean);

/**
 * Monthly rollups of the label rows (issue 15, speed at scale), as ReportMonthly1764864000000 did
 * for the town's: a report filtered by one label read the label's daily rows, and its backlog
 * every day since the label's first use (a broad label over six years: 543,053 rows read by a
 * sequential scan for 107,310 kept, 3.3 s at p99). `report_label_monthly` holds the label rows'
 * counters per calendar month (its first day) with the same dimensions,
 * `report_label_duration_monthly` the label's duration histograms per month and service only.
 * The fold (ReportAggregates) moves them with the daily label rows, in the same transaction; a
 * label report reads whole months from them and days only at the period's edges.
 *
 * The label rows already counted are rolled up here once.
 */
export class ReportLabelMonthly1765096000001 implements MigrationInterface {
  name = 'ReportLabelMonthly1765096000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_label_monthly (LIKE report_label_daily INCLUDING DEFAULTS)`);
    await q.query(`ALTER TABLE report_label_monthly RENAME COLUMN day TO month`);
    await q.query(`
      ALTER TABLE report_label_monthly
        ADD CONSTRAINT report_label_monthly_first_day CHECK (extract(day FROM month) = 1),
        ADD CONSTRAINT report_label_monthly_organization_fk FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    await q.query(`
      CREATE UNIQUE INDEX report_label_monthly_key ON report_label_monthly
        (organization_id, label_id, month, team_id, channel_kind, request_type_id) NULLS NOT DISTINCT`);
    await q.query(`
      CREATE TABLE report_label_duration_monthly (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        label_id uuid NOT NULL,
        metric text NOT NULL CHECK (metric IN ('first_response', 'resolution', 'first_response_open', 'resolution_open')),
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        team_id uuid NOT NULL,
        bucket integer NOT NULL,
        n integer NOT NULL DEFAULT 0,
        PRIMARY KEY (organization_id, label_id, metric, month, team_id, bucket)
      )`);

    const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
    await q.query(`
      INSERT INTO report_label_monthly (organization_id, label_id, month, team_id, channel_kind, request_type_id,
                                        ${COUNTERS.join(', ')}, satisfaction_hist)
      SELECT organization_id, label_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id,
             ${COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
        FROM report_label_daily
       GROUP BY organization_id, label_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id
       ORDER BY 3`);
    await q.query(`
      INSERT INTO report_label_duration_monthly (organization_id, label_id, metric, month, team_id, bucket, n)
      SELECT organization_id, label_id, metric, date_trunc('month', day)::date, team_id, bucket, sum(n)
        FROM report_label_duration
       GROUP BY organization_id, label_id, metric, date_trunc('month', day)::date, team_id, bucket
       ORDER BY 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_label_duration_monthly`);
    await q.query(`DROP TABLE IF EXISTS report_label_monthly`);
  }
}
