import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: every public request (a registration, a request form, a sign-in) counts a hit in
 * `rate_limit`, in a transaction of its own. Logged, each of those commits waited for its WAL to
 * reach the disk (the events bench: IO:WalSync in a third of the app's connection samples during
 * 1,000 registrations in 3 s). Unlogged, the counters write no WAL, and PostgreSQL commits a
 * transaction that wrote none without waiting for a flush (xact.c, RecordTransactionCommit).
 * What is lost: after a crash of the database server the table is empty, so the current windows
 * start again from zero (at most an hour of a quota) — counters, not records; and the table is
 * not copied to a streaming replica, which never serves them (every instance writes to the primary).
 */
export class RateLimitUnlogged1765128000000 implements MigrationInterface {
  name = 'RateLimitUnlogged1765128000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rate_limit SET UNLOGGED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rate_limit SET LOGGED`);
  }
}
