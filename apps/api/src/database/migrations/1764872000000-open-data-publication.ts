import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, open data: whether the organization publishes its Services Publics+ indicators at a
 * public address (no login), and at which rhythm: `off` (admins download them), `yearly` (closed
 * years), `quarterly` (closed quarters and years; a year then withholds what its quarters withheld).
 */
export class OpenDataPublication1764872000000 implements MigrationInterface {
  name = 'OpenDataPublication1764872000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN open_data text NOT NULL DEFAULT 'off'
      CHECK (open_data IN ('off', 'yearly', 'quarterly'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN open_data`);
  }
}
