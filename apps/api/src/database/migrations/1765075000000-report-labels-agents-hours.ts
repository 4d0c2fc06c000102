import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports by label, per agent, and in opening hours (issue 15), kept as events happen like the
 * other aggregates (ReportAggregatesListener moves them by the difference of a file's fact):
 *
 * - `report_label_daily` / `report_label_duration`: the counters and duration histograms of
 *   report_daily / report_duration once more per label a file carries (a file with no label
 *   writes none). A report filtered by one label reads these rows only. No foreign key to
 *   `label`: a deleted label's rows stay (nobody can pick it) and a later recount may still take
 *   its file away from them.
 * - `report_agent_daily` / `report_agent_duration`: per day, service and agent, the files
 *   resolved while assigned to the agent (handled) and the first answers the agent wrote, with
 *   their times (calendar and opening hours) as histograms.
 * - `first_response_open` / `resolution_open`: the same durations as `first_response` /
 *   `resolution`, counted in the service's opening hours (French public holidays closed), in the
 *   same histogram tables.
 *
 * The facts gain what these need; the backfill's mark is taken away so that every file already
 * counted is counted again once (the recount moves aggregates by a difference: nothing twice).
 */
export class ReportLabelsAgentsHours1765075000000 implements MigrationInterface {
  name = 'ReportLabelsAgentsHours1765075000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE report_conversation
        ADD COLUMN label_ids uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN first_response_agent_id uuid,
        ADD COLUMN first_response_open_minutes integer,
        ADD COLUMN handled_by uuid,
        ADD COLUMN resolution_open_minutes integer`);
    const metrics = `metric IN ('first_response', 'resolution', 'first_response_open', 'resolution_open')`;
    for (const table of ['report_duration', 'report_duration_monthly']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT report_duration_metric_check`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_metric_check CHECK (${metrics})`);
    }

    await q.query(`CREATE TABLE report_label_daily (LIKE report_daily INCLUDING DEFAULTS)`);
    await q.query(`ALTER TABLE report_label_daily ADD COLUMN label_id uuid NOT NULL`);
    await q.query(`
      ALTER TABLE report_label_daily ADD CONSTRAINT report_label_daily_organization_fk
        FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    await q.query(`
      CREATE UNIQUE INDEX report_label_daily_key ON report_label_daily
        (organization_id, label_id, day, team_id, channel_kind, request_type_id) NULLS NOT DISTINCT`);
    await q.query(`CREATE TABLE report_label_duration (LIKE report_duration INCLUDING DEFAULTS)`);
    await q.query(`
      ALTER TABLE report_label_duration
        ADD COLUMN label_id uuid NOT NULL,
        ADD CONSTRAINT report_label_duration_metric_check CHECK (${metrics}),
        ADD CONSTRAINT report_label_duration_organization_fk FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    await q.query(`
      CREATE UNIQUE INDEX report_label_duration_key ON report_label_duration
        (organization_id, label_id, metric, day, team_id, channel_kind, request_type_id, bucket) NULLS NOT DISTINCT`);

    await q.query(`
      CREATE TABLE report_agent_daily (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        day date NOT NULL,
        team_id uuid NOT NULL,
        agent_id uuid NOT NULL,
        handled integer NOT NULL DEFAULT 0,
        first_responses integer NOT NULL DEFAULT 0,
        PRIMARY KEY (organization_id, day, team_id, agent_id)
      )`);
    await q.query(`
      CREATE TABLE report_agent_duration (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        day date NOT NULL,
        team_id uuid NOT NULL,
        agent_id uuid NOT NULL,
        metric text NOT NULL CHECK (metric IN ('first_response', 'first_response_open')),
        bucket integer NOT NULL,
        n integer NOT NULL DEFAULT 0,
        PRIMARY KEY (organization_id, metric, day, team_id, agent_id, bucket)
      )`);

    await q.query(`DELETE FROM report_backfill`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_agent_duration`);
    await q.query(`DROP TABLE IF EXISTS report_agent_daily`);
    await q.query(`DROP TABLE IF EXISTS report_label_duration`);
    await q.query(`DROP TABLE IF EXISTS report_label_daily`);
    for (const table of ['report_duration', 'report_duration_monthly']) {
      await q.query(`DELETE FROM ${table} WHERE metric NOT IN ('first_response', 'resolution')`);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_metric_check`);
      await q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT report_duration_metric_check CHECK (metric IN ('first_response', 'resolution'))`,
      );
    }
    await q.query(`
      ALTER TABLE report_conversation
        DROP COLUMN label_ids, DROP COLUMN first_response_agent_id, DROP COLUMN first_response_open_minutes,
        DROP COLUMN handled_by, DROP COLUMN resolution_open_minutes`);
  }
}
