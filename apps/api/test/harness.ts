import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { AgentRole, ChannelKind } from '@guichet/contracts';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { expectEventually } from '../../../libs/testing/src/eventually';
import { createApp, type RunningApp } from '../src/app.factory';
import type { AppConfig } from '../src/config';
import { hashPassword } from '../src/common/password';
import { dataSourceOptions } from '../src/database/data-source';
import { freePort } from '../src/database/embedded-postgres';
import { seedDemo } from '../src/seed/seed-demo';
import { tokenHash } from '../src/modules/auth/auth.repository';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { ReportAggregates } from '../src/modules/reports/report-aggregates';

export const TEMPLATE_DB = 'guichet_template';
/** The migrated template with the demo town seeded in it (made by the first file that asks for it). */
const DEMO_TEMPLATE_DB = 'guichet_template_demo';
/** Cheap scrypt parameters for factory accounts; the login tests use them through the real check. */
const TEST_KDF = { N: 2 ** 10, r: 8, p: 1 };

function serverUrl(): string {
  const url = process.env.GUICHET_TEST_PG;
  if (!url) throw new Error('GUICHET_TEST_PG is not set: run through jest (apps/api/test/global-setup.ts)');
  return url;
}

/** The URL of database `name` on the run's cluster. */
const urlOf = (name: string) => serverUrl().replace(/\/postgres$/, `/${name}`);

/**
 * The demo town seeded once per run into a template of its own, by the first test file that asks
 * for it (the others wait on the lock): seeding it takes a file tens of seconds, cloning it a
 * fraction of one. It is built under another name and renamed when complete, so a file that died
 * while seeding leaves nothing that looks ready (the next one drops it and starts again).
 */
async function ensureDemoTemplate(admin: Client): Promise<void> {
  await admin.query(`SELECT pg_advisory_lock(hashtextextended('guichet:test-demo-template', 0))`);
  try {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DEMO_TEMPLATE_DB]);
    if (rowCount) return;
    const building = `${DEMO_TEMPLATE_DB}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${building}`);
    await admin.query(`CREATE DATABASE ${building} TEMPLATE ${TEMPLATE_DB}`);
    const ds = new DataSource(dataSourceOptions(urlOf(building), 2));
    await ds.initialize();
    try {
      await seedDemo(ds);
    } finally {
      await ds.destroy();
    }
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${DEMO_TEMPLATE_DB}`);
  } finally {
    await admin.query(`SELECT pg_advisory_unlock(hashtextextended('guichet:test-demo-template', 0))`);
  }
}

/**
 * A fresh database cloned from the migrated template, or with `demo` from the template holding
 * the demo town: each test file still has a database of its own.
 */
export async function createTestDatabase({ demo = false }: { demo?: boolean } = {}): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    if (demo) await ensureDemoTemplate(admin);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${demo ? DEMO_TEMPLATE_DB : TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return urlOf(name);
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestAgent {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: AgentRole;
  teamIds: string[];
  token: string;
}

export interface TestApp {
  url: string;
  /** Where this instance's /metrics answers (undefined with metrics off). */
  metricsUrl?: string;
  app: RunningApp['app'];
  config: AppConfig;
  db: Client;
  http<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; form?: FormData; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  ingest: IngestService;
  newOrganization(slug?: string): Promise<{ id: string; slug: string }>;
  newTeam(organizationId: string, name?: string): Promise<{ id: string; name: string }>;
  newAgent(o: {
    organizationId: string;
    role?: AgentRole;
    teamIds?: string[];
    password?: string;
    name?: string;
  }): Promise<TestAgent>;
  newChannel(o: {
    organizationId: string;
    teamId: string;
    kind: ChannelKind;
    config?: Record<string, unknown>;
  }): Promise<{ id: string }>;
  count(table: string): Promise<number>;
  /**
   * Resolves once the webhooks acknowledged so far have been processed: the webhook inbox holds
   * nothing waiting (its failed rows stay and are not waited for). A webhook's 200 means stored,
   * not yet filed: a test reading what it filed waits for this (or `settled`) first.
   */
  webhooksProcessed(timeoutMs?: number): Promise<void>;
  /**
   * Resolves once the jobs of what was written so far have run: the webhook inbox drained, the
   * ingest's outbox relayed, the reports' marks folded (at once when nothing else is left), and no
   * job of any queue running or due now (a retry or a delayed job due later is not waited for).
   * A count compared before and after a step is then not raced by an earlier step's job (a Meta
   * post's context line, a form reply's notice), and what the step itself queued has been written.
   */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `modules`: added to the app (a test's own listener, say). */
export async function startTestApp(overrides: Partial<AppConfig> = {}, modules: Type[] = []): Promise<TestApp> {
  // With the demo town: a clone of the seeded template (the app's seed finds it there and leaves it).
  const databaseUrl = overrides.databaseUrl ?? (await createTestDatabase({ demo: !!overrides.seedDemo }));
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-test-'));
  const config: AppConfig = {
    port: 0,
    databaseUrl,
    appSecret: 'test-secret-0123456789abcdef',
    encryptionKey: randomBytes(32),
    dataDir,
    blobDir: join(dataDir, 'blobs'),
    publicUrl: 'http://guichet.test',
    seedDemo: false,
    runJobs: true,
    sessionTtlHours: 1,
    logLevel: 'silent',
    publicRequestsPerHour: 20,
    loginFailuresBeforeBackoff: 10,
    loginAddressFailuresPer15Min: 100,
    // The reports' aggregates are folded every 2 s as in production (REPORTS_FOLD_MS): t.settled()
    // folds what is pending at once instead of waiting for the next fold. (At 200 ms the idle fold
    // cost each running app ~4 % of a core, Node and PostgreSQL together: 0.94 → 0.57 CPU-s per 10 s.)
    ...overrides,
  };
  const running = await createApp(config, modules);
  const db = new Client({ connectionString: databaseUrl });
  // A test that timed out never closes its client; when the run's PostgreSQL stops, its error
  // must not crash Jest (which runs in band here) before the results are written.
  db.on('error', () => undefined);
  await db.connect();

  const http: TestApp['http'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: BodyInit | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${running.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };

  return {
    url: running.url,
    metricsUrl: running.metricsUrl,
    app: running.app,
    config,
    db,
    http,
    ingest: running.app.get(IngestService),
    async newOrganization(slug = `ville-${randomBytes(4).toString('hex')}`) {
      const { rows } = await db.query(`INSERT INTO organization (slug, name) VALUES ($1, $2) RETURNING id`, [
        slug,
        `Ville ${slug}`,
      ]);
      return { id: rows[0].id, slug };
    },
    async newTeam(organizationId, name = `Service ${randomBytes(3).toString('hex')}`) {
      const slug = name
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      const { rows } = await db.query(`INSERT INTO team (organization_id, slug, name) VALUES ($1, $2, $3) RETURNING id`, [
        organizationId,
        `${slug}-${randomBytes(2).toString('hex')}`,
        name,
      ]);
      return { id: rows[0].id, name };
    },
    async newAgent({ organizationId, role = 'agent', teamIds = [], password = 'mot-de-passe-test', name = 'Agent Test' }) {
      const email = `agent-${randomBytes(5).toString('hex')}@test.guichet.fr`;
      const { rows } = await db.query(
        `INSERT INTO agent (organization_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [organizationId, email, name, role, await hashPassword(password, TEST_KDF)],
      );
      const id = rows[0].id;
      for (const t of teamIds) await db.query(`INSERT INTO agent_team (agent_id, team_id) VALUES ($1, $2)`, [id, t]);
      const token = randomBytes(32).toString('base64url');
      await db.query(`INSERT INTO agent_session (token_hash, agent_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')`, [
        tokenHash(token),
        id,
      ]);
      return { id, organizationId, email, name, role, teamIds, token };
    },
    async newChannel({ organizationId, teamId, kind, config: cfg = {} }) {
      const id = randomUUID();
      await db.query(`INSERT INTO channel (id, organization_id, team_id, kind, name, config) VALUES ($1, $2, $3, $4, $5, $6)`, [
        id,
        organizationId,
        teamId,
        kind,
        `Canal ${kind}`,
        JSON.stringify(cfg),
      ]);
      return { id };
    },
    async count(table) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0].n;
    },
    async webhooksProcessed(timeoutMs = 30_000) {
      const waiting = async () =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_inbox WHERE failed_at IS NULL`)).rows[0]!.n;
      await expectEventually(async () => expect(await waiting()).toBe(0), { timeoutMs, intervalMs: 20 });
    },
    async settled(timeoutMs = 30_000) {
      // One statement, one snapshot: the relay moves an outbox row to its jobs in one transaction,
      // a drainer deletes an inbox row once what it filed has committed (its jobs queued).
      const pending = async () =>
        (
          await db.query<{ what: string }>(
            `SELECT 'webhook inbox' AS what FROM webhook_inbox WHERE failed_at IS NULL
             UNION ALL
             SELECT 'outbox' AS what FROM domain_event_outbox
             UNION ALL
             (SELECT 'report_pending' FROM report_pending LIMIT 1)
             UNION ALL
             SELECT name || ' (' || state || ')' FROM pgboss.job
              WHERE state = 'active' OR (state IN ('created', 'retry') AND start_after <= now() + interval '1 second')`,
          )
        ).rows.map((r) => r.what);
      // Once the marks are all that is left, they are folded now (as the periodic fold would,
      // between two of its runs: a fold running elsewhere is waited for) — unless the test folds
      // by itself (reportsFoldMs 0), when they are waited for.
      const aggregates = config.reportsFoldMs === 0 ? null : running.app.get(ReportAggregates);
      await expectEventually(
        async () => {
          let left = await pending();
          if (aggregates && left.length === 1 && left[0] === 'report_pending') {
            await aggregates.foldNow();
            left = await pending();
          }
          expect(left).toEqual([]);
        },
        { timeoutMs, intervalMs: 50 },
      );
    },
    async close() {
      await db.end();
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An organization with two services, an agent in each, a supervisor, an admin and a web form. */
export async function seedTown(t: TestApp) {
  const org = await t.newOrganization();
  const etatCivil = await t.newTeam(org.id, 'État civil');
  const scolarite = await t.newTeam(org.id, 'Scolarité');
  const agentEC = await t.newAgent({ organizationId: org.id, teamIds: [etatCivil.id], name: 'Marie Dupont' });
  const agentSco = await t.newAgent({ organizationId: org.id, teamIds: [scolarite.id], name: 'Paul Martin' });
  const supervisor = await t.newAgent({ organizationId: org.id, role: 'supervisor', name: 'Sarah Superviseure' });
  const admin = await t.newAgent({ organizationId: org.id, role: 'admin', name: 'Alain Admin' });
  const webform = await t.newChannel({ organizationId: org.id, teamId: etatCivil.id, kind: 'webform' });
  const sms = await t.newChannel({ organizationId: org.id, teamId: etatCivil.id, kind: 'sms' });
  const email = await t.newChannel({ organizationId: org.id, teamId: etatCivil.id, kind: 'email' });
  return { org, etatCivil, scolarite, agentEC, agentSco, supervisor, admin, webform, sms, email };
}

/** A mobile number of its own (06 1x xx xx xx: an allocated range; 06 39, 06 90–06 97 fail normalization). */
/**
 * Every schema.table.column (all schemas: the job queue's too; text, JSON, arrays, search
 * documents, bytes) whose content holds one of the terms, case aside, with the rows' count: what
 * an anonymization or an erasure must leave empty.
 */
export async function columnsHolding(t: TestApp, terms: string[]): Promise<string[]> {
  const { rows: columns } = await t.db.query<{ s: string; t: string; c: string; type: string }>(
    `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS c, c.data_type AS type
       FROM information_schema.columns c JOIN information_schema.tables tb
         ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
        AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY', 'tsvector', 'USER-DEFINED')`,
  );
  const found: string[] = [];
  for (const col of columns) {
    const ref = `"${col.s}"."${col.t}"."${col.c}"`;
    const value = col.type === 'bytea' ? `encode("${col.c}", 'escape')` : `"${col.c}"::text`;
    const { rows } = await t.db.query<{ term: string; n: number }>(
      `SELECT term, (SELECT count(*)::int FROM "${col.s}"."${col.t}" WHERE strpos(lower(${value}), lower(term)) > 0) AS n
         FROM unnest($1::text[]) AS term`,
      [terms],
    );
    for (const r of rows) if (r.n > 0) found.push(`${ref}: ${r.term} (${r.n})`);
  }
  return found;
}

/** The blob store's files (their sha256 names) holding one of the terms. */
export async function blobsHolding(t: TestApp, terms: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else {
        const text = (await readFile(path)).toString('latin1').toLowerCase();
        for (const term of terms) if (text.includes(term.toLowerCase())) found.push(`${e.name}: ${term}`);
      }
    }
  };
  await walk(t.config.blobDir);
  return found;
}

export const randomMobile = () => `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/** A citizen's SMS on `channelId`, from `from` (a fresh number by default): the id of its conversation. */
export async function citizenSms(t: TestApp, channelId: string, text: string, from = randomMobile()): Promise<string> {
  const { conversationId } = await t.ingest.ingest({
    channelId,
    externalId: `SM${randomUUID()}`,
    from: { kind: 'phone', value: from },
    text,
  });
  return conversationId;
}

/** The organization's outgoing mail through a test SMTP server (`PUT /organization/mail-settings`). */
/** An e-mail channel's config that sends through the SMTP capture (its mailbox, never read, on a closed port). */
export function capturedEmailChannel(smtp: { host: string; port: number; user: string; password: string }, address: string) {
  return {
    address,
    imap: { host: '127.0.0.1', port: 1, secure: false, user: 'x', password: 'x' },
    smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
    processed: 'seen',
  };
}

export function orgSmtpSettings(smtp: { host: string; port: number; user: string; password: string }, fromAddress: string) {
  return {
    mode: 'smtp' as const,
    fromAddress,
    fromName: 'Mairie',
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: smtp.user,
    password: smtp.password,
  };
}

/** The compiled API (`pnpm test` builds it first), as production runs it. */
export const COMPILED_API = join(__dirname, '..', 'dist', 'main.js');

export interface CompiledInstance {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  /** The end of what it wrote to stderr. */
  stderr(): string;
  /** SIGKILL (if still running), once exited its data directory removed. */
  kill(): Promise<void>;
}

/**
 * Another instance of `b`'s Guichet in a process of its own (the compiled API): same database,
 * secrets and public URL as `b`, `env` on top (REDIS_URL, RUN_JOBS, DATABASE_URL through a
 * TcpPath…). Resolves once its readiness probe answers.
 */
export async function startCompiledInstance(b: TestApp, env: Record<string, string> = {}): Promise<CompiledInstance> {
  if (!existsSync(COMPILED_API))
    throw new Error(`compiled API not found (${COMPILED_API}): run tsc -b apps/api first (pnpm test does)`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'guichet-instance-'));
  const proc = spawn(process.execPath, [COMPILED_API], {
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? '/root',
      PORT: String(port),
      DATABASE_URL: b.config.databaseUrl,
      APP_SECRET: b.config.appSecret,
      ENCRYPTION_KEY: b.config.encryptionKey.toString('hex'),
      PUBLIC_URL: b.config.publicUrl,
      DATA_DIR: dataDir,
      SEED_DEMO: '0',
      RUN_JOBS: '0',
      LOG_LEVEL: 'warn',
      PUBLIC_REQUESTS_PER_HOUR: '1000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  await expectEventually(
    async () => {
      if (proc.exitCode !== null) throw new Error(`the instance exited (${proc.exitCode}):\n${stderr}`);
      expect((await fetch(`${url}/api/v1/health/ready`)).status).toBe(200);
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  ).catch(async (e: unknown) => {
    await kill();
    throw e;
  });
  return { proc, url, dataDir, stderr: () => stderr, kill };
}
