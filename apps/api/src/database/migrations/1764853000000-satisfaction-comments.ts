import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The satisfaction survey flow (issue 15): the report's comments are read newest first per
 * organization and period, from the surveys that carry one (a small share of the answers).
 */
export class SatisfactionComments1764853000000 implements MigrationInterface {
  name = 'SatisfactionComments1764853000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX satisfaction_survey_comments_idx ON satisfaction_survey (organization_id, answered_at DESC) WHERE comment IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS satisfaction_survey_comments_idx`);
  }
}
