import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: a file an agent transfers to another service is told to the citizen when the
 * organization wants it (off unless an admin turns it on).
 */
export class ServiceTransferNotice1765092000001 implements MigrationInterface {
  name = 'ServiceTransferNotice1765092000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN transfer_notice boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN transfer_notice`);
  }
}
