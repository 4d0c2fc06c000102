import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: each supervisor chooses whether they receive the deadlines digest and at what time
 * (Europe/Paris, on the quarter hour; 07:30 as the digest had). A day whose digest was looked at
 * with nothing to list is recorded with `files = 0` (no mail), so that a later run the same day
 * does not send a first digest in the afternoon.
 */
export class DeadlineDigestPreferences1765092000000 implements MigrationInterface {
  name = 'DeadlineDigestPreferences1765092000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE agent
        ADD COLUMN digest_enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN digest_time text NOT NULL DEFAULT '07:30'
          CONSTRAINT agent_digest_time_check CHECK (digest_time ~ '^([01][0-9]|2[0-3]):(00|15|30|45)$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agent DROP COLUMN digest_time, DROP COLUMN digest_enabled`);
  }
}
