import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports and citizen satisfaction (issue 15).
 *
 * Reports never scan `message`: a durable listener of the domain events keeps one fact row per
 * conversation (`report_conversation`) and per telephone call (`report_call`), and moves the
 * daily aggregates by the difference between a fact's old and new contribution, in the same
 * transaction. A one-year report reads at most one row per (day, service, channel, démarche).
 *
 * Durations are kept as histograms (`report_duration`: count per bucket of minutes, see
 * libs/contracts reports.ts `durationBucket`) so that medians and 90th percentiles add up over
 * any period and service without the conversations.
 *
 * Satisfaction: each service chooses off / on / delay (hours after resolution); one survey row
 * per conversation (unique: never twice), answered once through a signed link.
 */
export class ReportsAndSatisfaction1764830000000 implements MigrationInterface {
  name = 'ReportsAndSatisfaction1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE team
        ADD COLUMN satisfaction_survey text NOT NULL DEFAULT 'off' CHECK (satisfaction_survey IN ('off', 'on', 'delay')),
        ADD COLUMN satisfaction_delay_hours integer NOT NULL DEFAULT 24 CHECK (satisfaction_delay_hours BETWEEN 1 AND 720)`);
    await q.query(`ALTER TABLE conversation ADD COLUMN satisfaction smallint CHECK (satisfaction BETWEEN 0 AND 10)`);

    await q.query(`
      CREATE TABLE satisfaction_survey (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL UNIQUE REFERENCES conversation(id) ON DELETE CASCADE,
        -- The channel it goes out on (null: the tracking page only).
        channel_id uuid REFERENCES channel(id) ON DELETE SET NULL,
        channel_kind text,
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'skipped', 'answered')),
        skipped_reason text,
        send_at timestamptz NOT NULL,
        sent_at timestamptz,
        expires_at timestamptz NOT NULL,
        answered_at timestamptz,
        score smallint CHECK (score BETWEEN 0 AND 10),
        comment text CHECK (length(comment) <= 2000),
        message_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The sender takes what is due, oldest first.
    await q.query(`CREATE INDEX satisfaction_survey_due_idx ON satisfaction_survey (send_at) WHERE status = 'scheduled'`);

    await q.query(`
      CREATE TABLE report_conversation (
        conversation_id uuid PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        team_id uuid NOT NULL,
        channel_kind text NOT NULL,
        request_type_id uuid,
        created_day date NOT NULL,
        first_response_day date,
        first_response_minutes integer,
        first_response_on_time boolean,
        resolved_day date,
        resolution_minutes integer,
        -- A different resolution time than the one counted: the file was reopened in between.
        resolved_at timestamptz,
        satisfaction smallint,
        satisfaction_day date
      )`);
    await q.query(`
      CREATE TABLE report_call (
        message_id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        team_id uuid NOT NULL,
        channel_kind text NOT NULL,
        day date NOT NULL,
        started_at timestamptz NOT NULL,
        outcome text NOT NULL,
        called_back_minutes integer
      )`);
    await q.query(
      `CREATE INDEX report_call_callback_idx ON report_call (conversation_id) WHERE outcome = 'missed' AND called_back_minutes IS NULL`,
    );

    await q.query(`
      CREATE TABLE report_daily (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        day date NOT NULL,
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
      CREATE UNIQUE INDEX report_daily_key ON report_daily (organization_id, day, team_id, channel_kind, request_type_id)
        NULLS NOT DISTINCT`);
    await q.query(`
      CREATE TABLE report_duration (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        day date NOT NULL,
        team_id uuid NOT NULL,
        channel_kind text NOT NULL,
        request_type_id uuid,
        metric text NOT NULL CHECK (metric IN ('first_response', 'resolution')),
        bucket integer NOT NULL,
        n integer NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE UNIQUE INDEX report_duration_key ON report_duration
        (organization_id, metric, day, team_id, channel_kind, request_type_id, bucket) NULLS NOT DISTINCT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_duration`);
    await q.query(`DROP TABLE IF EXISTS report_daily`);
    await q.query(`DROP TABLE IF EXISTS report_call`);
    await q.query(`DROP TABLE IF EXISTS report_conversation`);
    await q.query(`DROP TABLE IF EXISTS satisfaction_survey`);
    await q.query(`ALTER TABLE conversation DROP COLUMN satisfaction`);
    await q.query(`ALTER TABLE team DROP COLUMN satisfaction_delay_hours, DROP COLUMN satisfaction_survey`);
  }
}
