import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login limiter (issue 10, item 7): one row per (account, address) pair and one per address,
 * keyed by an HMAC so neither e-mail addresses nor IP addresses are stored in clear.
 * See modules/auth/login-limiter.ts for the policy.
 */
export class LoginThrottle1764500000007 implements MigrationInterface {
  name = 'LoginThrottle1764500000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS login_throttle (
        key bytea PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0,
        counting_since timestamptz,
        blocked_until timestamptz,
        trusted_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS login_throttle`);
  }
}
