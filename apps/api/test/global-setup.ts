import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { migrate } from '../src/app.factory';
import { TEMPLATE_DB } from './harness';

/**
 * One real PostgreSQL for the whole run (embedded-postgres in a temp dir), with a migrated
 * template database; every test file clones it into a database of its own (CREATE DATABASE
 * … TEMPLATE), so files run in parallel without sharing rows.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, persistent: false });
  (globalThis as { __GUICHET_PG__?: unknown }).__GUICHET_PG__ = pg;
  process.env.GUICHET_TEST_PG = pg.url('postgres');
  process.env.GUICHET_TEST_PG_DIR = dir;

  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  // A throwaway cluster, deleted at the end of the run: nothing in it needs to survive a crash of
  // the machine, so commits and each file's CREATE DATABASE need not wait for the disk (fsync).
  // What the tests see (rows, locks, transactions, LISTEN/NOTIFY) is unchanged; the tests that
  // kill PostgreSQL start clusters of their own.
  await admin.query(`ALTER SYSTEM SET fsync = off`);
  await admin.query(`ALTER SYSTEM SET full_page_writes = off`);
  await admin.query(`SELECT pg_reload_conf()`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();

  const ds = new DataSource(dataSourceOptions(pg.url(TEMPLATE_DB), 2));
  await ds.initialize();
  await migrate(ds);
  await ds.destroy();

  // pg-boss installs its schema once in the template rather than in every test database.
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({
    connectionString: pg.url(TEMPLATE_DB),
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  } as never);
  boss.on('error', () => undefined);
  await boss.start();
  await boss.stop({ graceful: false } as never);
}
