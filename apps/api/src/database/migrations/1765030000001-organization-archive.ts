import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A town archived by the platform administrator (issue 12): nothing is deleted; its agents can no
 * longer sign in and its citizen pages say the service is closed, until it is unarchived.
 */
export class OrganizationArchive1765030000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE organization ADD COLUMN archived_at timestamptz, ADD COLUMN archived_by uuid REFERENCES agent(id) ON DELETE SET NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN archived_at, DROP COLUMN archived_by`);
  }
}
