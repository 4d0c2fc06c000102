import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several towns on one installation (a communauté de communes, a syndicat informatique): the
 * platform administrator creates and lists the organizations. A flag on an agent account, not a
 * role: they stay an agent of their own organization, and that membership alone gives access to
 * conversations. The first run's administrator is one; on a database set up before, nobody is
 * until `pnpm guichet create-platform-admin` names one (no privilege granted silently).
 */
export class PlatformAdmin1764867000000 implements MigrationInterface {
  name = 'PlatformAdmin1764867000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agent ADD COLUMN platform_admin boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agent DROP COLUMN platform_admin`);
  }
}
