import type { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTERS = [
  'created',
  'reopened',
  'resolved',
  'first_responses',
  'first_responses_with_target',
  'first_responses_on_time',
  'satisfaction_answers',
  'satisfaction_sum',
  'calls_received',
  'calls_answered',
  'calls_missed',
  'calls_called_back',
  'callback_minutes',
];

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
    await q.query(`
      CREATE TABLE report_monthly (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        team_id uuid NOT NULL,
        channel_kind text NOT NULL,
        request_type_id uuid,
        created integer NOT NULL DEFAULT 0,
        reopened integer NOT NULL DEFAULT 0,
        resolved integer NOT NULL DEFAULT 0,
        first_responses integer NOT NULL DEFAULT 0,
        first_responses_with_target integer NOT NULL DEFAULT 0,
        first_responses_on_time integer NOT NULL DEFAULT 0,
        satisfaction_answers integer NOT NULL DEFAULT 0,
        satisfaction_sum integer NOT NULL DEFAULT 0,
        satisfaction_hist integer[] NOT NULL DEFAULT '{0,0,0,0,0,0,0,0,0,0,0}',
        calls_received integer NOT NULL DEFAULT 0,
        calls_answered integer NOT NULL DEFAULT 0,
        calls_missed integer NOT NULL DEFAULT 0,
        calls_called_back integer NOT NULL DEFAULT 0,
        callback_minutes bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE UNIQUE INDEX report_monthly_key ON report_monthly (organization_id, month, team_id, channel_kind, request_type_id)
        NULLS NOT DISTINCT`);
    await q.query(`
      CREATE TABLE report_duration_monthly (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        team_id uuid NOT NULL,
        metric text NOT NULL CHECK (metric IN ('first_response', 'resolution')),
        bucket integer NOT NULL,
        n integer NOT NULL DEFAULT 0,
        PRIMARY KEY (organization_id, metric, month, team_id, bucket)
      )`);

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
