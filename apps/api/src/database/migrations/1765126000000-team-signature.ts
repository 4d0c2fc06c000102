import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * L111-2, per service: a service may sign its replies from a template of its own (the CCAS names
 * itself, gives its own reception hours); null follows the organization's `signature`.
 */
export class TeamSignature1765126000000 implements MigrationInterface {
  name = 'TeamSignature1765126000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE team ADD COLUMN signature text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE team DROP COLUMN signature`);
  }
}
