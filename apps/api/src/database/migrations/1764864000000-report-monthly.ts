import type { MigrationInterface, QueryRunner } from 'typeorm';

// The counters of report_daily as they are at this migration (a later migration adding one rolls it up itself).
const COUNTERS = `created reopened resolved first_responses first_responses_with_target first_responses_on_time
  satisfaction_answers satisfaction_sum calls_received calls_answered calls_missed calls_called_back callback_minutes`
  .split(/\s+/)
  .filter(Boolean);

/**
 * Monthly rollups of the report aggregates (issue 15, speed at scale).
 *
 * A one-year report read one `report_daily` row per (day, service, channel, démarche): 107,310
 * rows for a large town, 1.1–2.0 s at p99 (response times: 1.5 M histogram rows, 7 s).
 * `report_monthly` holds the same counters per calendar month (the month's first day) and the
 * same dimensions; `report_duration_monthly` the duration histograms per month and service only
 * (per channel and démarche they would barely shrink: a bucket is a few conversations). The
 * repository moves them by the same deltas, in the same transaction, right after the daily rows,
 * so that a month's row is always the sum of its days. A report reads months for the whole months
 * of its period and days only for the partial months at its edges; durations filtered by channel
 * or démarche read the daily histograms.
 *
 * The rows already counted are rolled up here once.
 */
export class ReportMonthly1764864000000 implements MigrationInterface {
  name = 'ReportMonthly1764864000000';

  async up(q: QueryRunner): Promise<void> {
    // The daily table's columns and defaults, with the month's first day for the day.
    await q.query(`CREATE TABLE report_monthly (LIKE report_daily INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await q.query(`ALTER TABLE report_monthly RENAME COLUMN day TO month`);
    await q.query(`
      ALTER TABLE report_monthly
        ADD CONSTRAINT report_monthly_first_day CHECK (extract(day FROM month) = 1),
        ADD CONSTRAINT report_monthly_organization_fk FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    await q.query(`
      CREATE UNIQUE INDEX report_monthly_key ON report_monthly (organization_id, month, team_id, channel_kind, request_type_id)
        NULLS NOT DISTINCT`);
    // The daily histograms' columns, per month and service only.
    await q.query(`CREATE TABLE report_duration_monthly (LIKE report_duration INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await q.query(`
      ALTER TABLE report_duration_monthly
        DROP COLUMN channel_kind,
        DROP COLUMN request_type_id,
        ADD CONSTRAINT report_duration_monthly_pkey PRIMARY KEY (organization_id, metric, day, team_id, bucket),
        ADD CONSTRAINT report_duration_monthly_organization_fk FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE,
        ADD CONSTRAINT report_duration_monthly_first_day CHECK (extract(day FROM day) = 1)`);
    await q.query(`ALTER TABLE report_duration_monthly RENAME COLUMN day TO month`);

    const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
    await q.query(`
      INSERT INTO report_monthly (organization_id, month, team_id, channel_kind, request_type_id, ${COUNTERS.join(', ')}, satisfaction_hist)
      SELECT organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id,
             ${COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]
        FROM report_daily
       GROUP BY organization_id, date_trunc('month', day)::date, team_id, channel_kind, request_type_id`);
    await q.query(`
      INSERT INTO report_duration_monthly (organization_id, month, team_id, metric, bucket, n)
      SELECT organization_id, date_trunc('month', day)::date, team_id, metric, bucket, sum(n)
        FROM report_duration
       GROUP BY organization_id, date_trunc('month', day)::date, team_id, metric, bucket`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_duration_monthly`);
    await q.query(`DROP TABLE IF EXISTS report_monthly`);
  }
}
