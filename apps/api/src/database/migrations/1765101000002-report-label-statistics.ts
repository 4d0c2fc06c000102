import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports (issue 15, speed at scale): the planner's estimate of a label's rows in a period.
 *
 * A report filtered by one label reads that label's months of `report_label_monthly` (its key:
 * organization, label, month, …). The planner estimated them as if label and month were
 * independent: a label used for years times the share of all labels' rows in the period. Labels
 * are not spread evenly over time (new ones carry only recent months, old ones fall out of use), so
 * for a broad label the estimate was twice the rows it has, and reading the whole table looked
 * cheaper than walking the key: a sequential scan of every label's months for each report (3,528
 * rows kept, 22,533 read and dropped in the reports bench). Statistics of the label and month
 * together (the most common pairs) give the planner the label's own months.
 */
export class ReportLabelStatistics1765101000002 implements MigrationInterface {
  name = 'ReportLabelStatistics1765101000002';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['report_label_monthly', 'report_label_team_monthly'])
      await q.query(`CREATE STATISTICS ${table}_label_month (mcv) ON label_id, month FROM ${table}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['report_label_monthly', 'report_label_team_monthly'])
      await q.query(`DROP STATISTICS IF EXISTS ${table}_label_month`);
  }
}
