import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import { createApp, type RunningApp } from '../../src/app.factory';
import { bulkSendsPerSecond, jobsAtOnce, type AppConfig } from '../../src/config';
import { watchDatabaseServer } from './cpu';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';

/** What bench code needs from a pg Pool, PoolClient or Client. */
export interface Sql {
  query<R extends QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export type Log = (message: string) => void;

/** A fresh embedded PostgreSQL with the app running on it, as apps/api/test/harness.ts builds it. */
export interface BenchEnv {
  pg: EmbeddedPostgresHandle;
  databaseUrl: string;
  config: AppConfig;
  app: RunningApp;
  /** Bench-side connections to the app's database (fixtures, seeding, bare SQL). */
  db: Pool;
  /** Version and the settings that matter for these figures. */
  server: string;
  close(): Promise<void>;
}

const APP_DATABASE = 'guichet_bench';

/** The app configuration every benchmark starts from (the web benchmark too). */
export function benchConfig(databaseUrl: string, dataDir: string): AppConfig {
  return {
    port: 0,
    databaseUrl,
    appSecret: `bench-${randomBytes(16).toString('hex')}`,
    encryptionKey: randomBytes(32),
    dataDir,
    blobDir: join(dataDir, 'blobs'),
    publicUrl: 'http://guichet.bench',
    seedDemo: false,
    runJobs: false,
    // A/B runs set these in the bench's environment (1: one job at a time).
    durableJobsAtOnce: jobsAtOnce(process.env, 'DURABLE_JOBS_AT_ONCE'),
    outboundSendsAtOnce: jobsAtOnce(process.env, 'OUTBOUND_SENDS_AT_ONCE'),
    bulkSendsPerSecond: bulkSendsPerSecond(process.env),
    sessionTtlHours: 12,
    logLevel: 'silent',
    publicRequestsPerHour: 20,
    loginFailuresBeforeBackoff: 10,
    loginAddressFailuresPer15Min: 100,
  };
}

async function describeServer(db: Sql): Promise<string> {
  const { rows } = await db.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings
      WHERE name IN ('server_version', 'shared_buffers', 'fsync', 'synchronous_commit', 'max_connections') ORDER BY name`,
  );
  const s = new Map(rows.map((r) => [r.name, r.setting]));
  const settings = ['shared_buffers', 'fsync', 'synchronous_commit', 'max_connections'].map((n) => `${n}=${s.get(n)}`).join(', ');
  return `${s.get('server_version')} (${settings})`;
}

/** The pid of the server's postmaster: the parent of a backend. */
async function postmasterPid(db: Pool): Promise<number> {
  const { rows } = await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
  const status = readFileSync(`/proc/${rows[0]!.pid}/status`, 'utf8');
  return Number(/^PPid:\s+(\d+)/m.exec(status)![1]);
}

/** Runs `fn` and always runs the cleanups (last registered first), even when `fn` fails. */
async function unwinding(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      /* best effort */
    }
  }
  cleanups.length = 0;
}

/** `overrides` change the app's config (e.g. `runJobs: true` for benches that need the mailbox watchers). */
export async function startBenchEnv(log: Log, overrides: Partial<AppConfig> = {}): Promise<BenchEnv> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const pgDir = mkdtempSync(join(tmpdir(), 'guichet-bench-pg-'));
    cleanups.push(() => rmSync(pgDir, { recursive: true, force: true }));
    const startedAt = Date.now();
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false, log });
    cleanups.push(() => pg.stop());
    await ensureDatabase(pg.url('postgres'), APP_DATABASE);
    const databaseUrl = pg.url(APP_DATABASE);

    const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config: AppConfig = { ...benchConfig(databaseUrl, dataDir), ...overrides };
    const app = await createApp(config);
    cleanups.push(() => app.close());

    const db = new Pool({ connectionString: databaseUrl, max: 4, application_name: 'guichet-bench' });
    cleanups.push(() => db.end());
    const server = await describeServer(db);
    watchDatabaseServer(await postmasterPid(db));
    log(`PostgreSQL ${server} on port ${pg.port}, app on ${app.url} (${Date.now() - startedAt} ms)`);
    return { pg, databaseUrl, config, app, db, server, close: () => unwinding(cleanups) };
  } catch (e) {
    await unwinding(cleanups);
    throw e;
  }
}

/** Starts an environment, runs `fn` with it and always stops it. */
export async function withBenchEnv<T>(
  log: Log,
  fn: (env: BenchEnv) => Promise<T>,
  overrides: Partial<AppConfig> = {},
): Promise<T> {
  const env = await startBenchEnv(log, overrides);
  try {
    return await fn(env);
  } finally {
    await env.close();
  }
}
