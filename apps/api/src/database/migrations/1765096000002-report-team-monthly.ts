import type { MigrationInterface, QueryRunner } from 'typeorm';

// The counters of report_monthly as they are at this migration.
const COUNTERS = `created reopened resolved resolved_with_deadline resolved_on_time first_responses first_responses_with_target
  first_responses_on_time satisfaction_answers satisfaction_sum calls_received calls_answered calls_missed calls_called_back
  callback_minutes`
  .split(/\s+/)
  .filter(Boolean);

/**
 * Monthly rollups per service only (issue 15, speed at scale): most sums of a report want no
 * channel and no démarche (a backlog since the first month, the telephone and satisfaction
 * figures per service, the share answered within target, the previous period's totals), yet read
 * report_monthly's row per month × service × channel × démarche: a town-wide volumes report's
 * backlog summed six years of them (21,000 rows at a large town's scale). `report_team_monthly`
 * holds the same counters per month and service (84 rows a year for seven services),
 * `report_label_team_monthly` the same per label; the fold moves them with the other rollups,
 * and a sum that reads no channel or démarche (and filters on none) reads them for whole months.
 *
 * The monthly rows already counted are rolled up here once.
 */
export class ReportTeamMonthly1765096000002 implements MigrationInterface {
  name = 'ReportTeamMonthly1765096000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_team_monthly (LIKE report_monthly INCLUDING DEFAULTS)`);
    await q.query(`
      ALTER TABLE report_team_monthly
        DROP COLUMN channel_kind,
        DROP COLUMN request_type_id,
        ADD CONSTRAINT report_team_monthly_pkey PRIMARY KEY (organization_id, month, team_id),
        ADD CONSTRAINT report_team_monthly_first_day CHECK (extract(day FROM month) = 1),
        ADD CONSTRAINT report_team_monthly_organization_fk FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    await q.query(`CREATE TABLE report_label_team_monthly (LIKE report_label_monthly INCLUDING DEFAULTS)`);
    await q.query(`
      ALTER TABLE report_label_team_monthly
        DROP COLUMN channel_kind,
        DROP COLUMN request_type_id,
        ADD CONSTRAINT report_label_team_monthly_pkey PRIMARY KEY (organization_id, label_id, month, team_id),
        ADD CONSTRAINT report_label_team_monthly_first_day CHECK (extract(day FROM month) = 1),
        ADD CONSTRAINT report_label_team_monthly_organization_fk
          FOREIGN KEY (organization_id) REFERENCES organization(id) ON DELETE CASCADE`);
    const hist = Array.from({ length: 11 }, (_, i) => `sum(satisfaction_hist[${i + 1}])`).join(', ');
    const sums = `${COUNTERS.map((c) => `sum(${c})`).join(', ')}, ARRAY[${hist}]::int[]`;
    await q.query(`
      INSERT INTO report_team_monthly (organization_id, month, team_id, ${COUNTERS.join(', ')}, satisfaction_hist)
      SELECT organization_id, month, team_id, ${sums} FROM report_monthly GROUP BY organization_id, month, team_id ORDER BY month`);
    await q.query(`
      INSERT INTO report_label_team_monthly (organization_id, label_id, month, team_id, ${COUNTERS.join(', ')}, satisfaction_hist)
      SELECT organization_id, label_id, month, team_id, ${sums} FROM report_label_monthly
       GROUP BY organization_id, label_id, month, team_id ORDER BY month`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS report_label_team_monthly`);
    await q.query(`DROP TABLE IF EXISTS report_team_monthly`);
  }
}
