/**
 * A/B of the ingest function's database cost: the same batches (the ingest bench's mix, groups of
 * `AB_BATCH` items on 2 connections, as the group commit sends them) replayed into two databases
 * of one embedded PostgreSQL, A migrated without the migrations named in AB_NEW and B with them,
 * alternating rounds A B B A … CPU is each connection's backend run time (/proc/<pid>/schedstat).
 *
 * AB_SCHEMA=1 prints the constraints, triggers, indexes and columns of the ingest's tables instead.
 * AB_BATCH_B=8 gives B batches of another size than A's (with AB_NEW empty: the cost of the batch size).
 * AB_B_SQL='…; …' runs these statements in B after its migrations: what a schema change would save,
 * before writing it (e.g. an index or a trigger dropped).
 *
 * Several variants: AB_B_SQL='…; … | …' gives B the statements before the first `|`, C those after
 * it, and so on (each compared with A in the same rounds, the order rotating): several drops
 * measured with one migration of the template.
 *
 * Each round also reads what does not depend on the machine's load: the WAL written (bytes,
 * records, full-page images: cluster-wide, and the rounds run one at a time) and the buffers the
 * variant's database touched (pg_stat_database, its backends' statistics flushed first), per
 * message; their medians are printed with the CPU's.
 *
 * AB_STATEMENTS=1: the server runs with pg_stat_statements (track = all, restarted once to load
 * it): after the rounds, per variant, the ingest's statements per message (time, buffers, WAL) and
 * the nested statements inside the functions and triggers, heaviest first (AB_STATEMENTS_TOP, 25).
 *
 * AB_OUTBOX=1: each batch writes its outbox rows in the same statement (as the app does when a
 * durable listener waits), and a second statement deletes them (the relay's, without its jobs).
 *
 * AB_REPORTS=1: A is the ingest without the reports (their triggers dropped: no marks); B keeps the
 * reports' aggregates current as the app does: the triggers mark new and changed conversations in
 * the ingest's own statements, and ReportAggregates folds the marks on a third connection every
 * AB_FOLD_MS (default 2000, the app's REPORTS_FOLD_MS) while the batches run, and once more at the
 * end of each round so that the round pays for all it marked. B's CPU is its three backends'. The
 * client's CPU (this process: the pg client and the fold's JavaScript) is printed beside, and B's
 * CPU is split between its ingest backends and its fold backend. AB_PROFILE=1 also prints the fold
 * backend's CPU per statement (its schedstat read before and after each one).
 *
 *   AB_NEW=ConversationDerivedColumns1765071000000 node dist/bench-build/bench/ingest-ab.js
 *   AB_REPORTS=1 node dist/bench-build/bench/ingest-ab.js
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { AppConfig } from '../src/config';
import { Database } from '../src/common/database';
import { FOLD_BATCH, FOLD_EVERY_MS, ReportAggregates } from '../src/modules/reports/report-aggregates';
import { ReportsRepository } from '../src/modules/reports/reports.repository';
import { MIGRATIONS, dataSourceOptions } from '../src/database/data-source';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { migrate } from '../src/app.factory';
import { drawReferences } from '../src/modules/conversations/references';
import { snippetOf } from '../src/common/snippet';
import { pgJson } from '../src/common/pg-text';
import { DUE_COLUMNS, LABELS_COLUMN } from '../src/modules/conversations/conversation.mapper';
import { INGEST_WITH_OUTBOX_SQL } from '../src/modules/ingest/ingest.repository';
import { createChannel, createOrganization, createTeams } from './lib/fixtures';
import { EMAIL_TEXT, SMS_TEXT, phoneOf } from './ingest';

const NEW = (process.env.AB_NEW ?? '').split(',').filter(Boolean);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.AB_MESSAGES ?? 1200);
const BATCH = Number(process.env.AB_BATCH ?? 4);
const BATCH_B = Number(process.env.AB_BATCH_B ?? BATCH);
const RETURNING = 300;
const REPORTS = !!process.env.AB_REPORTS;
/** The statements each variant after A runs (B first): AB_B_SQL, variants separated by `|`. */
const B_SQLS = (process.env.AB_B_SQL ?? '').split('|').map((variant) =>
  variant
    .split(';')
    .map((sql) => sql.trim())
    .filter(Boolean),
);
const STATEMENTS = !!process.env.AB_STATEMENTS;
/** AB_OUTBOX=1: the statement writes the outbox rows as the app's does, and a second one deletes them as the relay does. */
const OUTBOX = !!process.env.AB_OUTBOX;
const STATEMENTS_TOP = Number(process.env.AB_STATEMENTS_TOP ?? 25);
const FOLD_MS = Number(process.env.AB_FOLD_MS ?? FOLD_EVERY_MS);
const PROFILE = !!process.env.AB_PROFILE;
/** The reports' triggers (migration ReportFold1765096000000), dropped in A. */
const REPORT_TRIGGERS = [
  ['report_pending_created', 'conversation'],
  ['report_pending_changed', 'conversation'],
  ['report_pending_labelled', 'conversation_label'],
  ['report_pending_call', 'message'],
  ['report_pending_call_changed', 'message'],
];
const log = (m: string) => console.log(`[ab] ${m}`);

interface Town {
  organizationId: string;
  teamId: string;
  emailChannelId: string;
  smsChannelId: string;
}

function base(town: Town) {
  return {
    organizationId: town.organizationId,
    teamId: town.teamId,
    sender: 'provider',
    extraIdentities: [],
    threadId: null,
    threadExternalIds: [],
    references: drawReferences(),
    at: new Date().toISOString(),
    reopen: true,
    kind: 'message',
    html: null,
    meta: {},
    attachments: [],
  };
}

function sms(town: Town, citizen: number, id: string) {
  return {
    ...base(town),
    channelId: town.smsChannelId,
    channelKind: 'sms',
    fromKind: 'phone',
    fromValue: phoneOf(citizen),
    fromName: null,
    threadReference: null,
    latestOpen: true,
    subject: null,
    snippet: snippetOf(SMS_TEXT),
    body: SMS_TEXT,
    externalId: `SM${id}`,
  };
}

function mixed(town: Town, i: number) {
  if (i % 10 < 3) return sms(town, (i * 7919) % RETURNING, `m${i}`);
  return {
    ...base(town),
    channelId: town.emailChannelId,
    channelKind: 'email',
    fromKind: 'email',
    fromValue: `citoyen.${i}@exemple.fr`,
    fromName: `Citoyen ${i}`,
    threadReference: null,
    latestOpen: false,
    subject: "Demande d'acte de naissance",
    snippet: snippetOf(EMAIL_TEXT),
    body: EMAIL_TEXT,
    externalId: `<${i}@mail.exemple.fr>`,
  };
}

type Item = ReturnType<typeof mixed>;

const SQL = `SELECT i.*, ${DUE_COLUMNS}, ${LABELS_COLUMN} FROM guichet_ingest($1::jsonb) i LEFT JOIN conversation c ON c.id = i.id`;

function sorted(items: Item[]): Item[] {
  const key = (it: Item) => `${it.fromKind}:${it.fromValue}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

interface Stored {
  created: boolean;
}

/**
 * The reports' fold as the app runs it (ReportAggregates.foldIn), on its own connection: every
 * batch of marks in a transaction of its own until none is left.
 */
class ReportFolds {
  private readonly aggregates = new ReportAggregates(
    new Database(undefined as never),
    new ReportsRepository(new Database(undefined as never)),
    {} as AppConfig,
  );
  private running: Promise<void> | null = null;
  folds = 0;
  marks = 0;
  /** Backend CPU (ns) and calls per statement (AB_PROFILE), over the measured rounds. */
  readonly profile = new Map<string, { ns: number; calls: number }>();
  measuring = false;

  constructor(
    readonly client: Client,
    private readonly pid: number,
  ) {}

  /** Folds everything pending (after the fold already running, if one is). */
  async fold(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.foldAll().finally(() => (this.running = null));
    await this.running;
  }

  /** A fold every FOLD_MS while `work` runs, then a last one. */
  async during<T>(work: Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      if (!this.running) void this.fold();
    }, FOLD_MS);
    try {
      return await work;
    } finally {
      clearInterval(timer);
      await this.fold();
    }
  }

  private async foldAll(): Promise<void> {
    const m = {
      query: async (sql: string, params?: unknown[]) => {
        if (!PROFILE || !this.measuring) return (await this.client.query(sql, params)).rows;
        const ns0 = runNs(this.pid);
        const { rows } = await this.client.query(sql, params);
        const key = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
        const p = this.profile.get(key) ?? { ns: 0, calls: 0 };
        p.ns += runNs(this.pid) - ns0;
        p.calls++;
        this.profile.set(key, p);
        return rows;
      },
    } as unknown as EntityManager;
    for (;;) {
      await this.client.query('BEGIN');
      let n: number | null;
      try {
        n = await this.aggregates.foldIn(m, true);
        await this.client.query('COMMIT');
      } catch (err) {
        await this.client.query('ROLLBACK');
        throw err;
      }
      this.folds++;
      this.marks += n ?? 0;
      if ((n ?? 0) < FOLD_BATCH) return;
    }
  }
}

/** Two connections each sending its batches one after the other (and, given `folds`, the reports' folds meanwhile). */
async function replay(clients: Client[], items: Item[], size = BATCH, folds?: ReportFolds): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(sorted(items.slice(i, i + size)));
  let next = 0;
  const work = Promise.all(
    clients.map(async (c) => {
      while (next < batches.length) {
        const b = batches[next++]!;
        const events = OUTBOX ? b.map(() => [randomUUID(), randomUUID()]) : null;
        const { rows } = events
          ? await c.query<Stored>(INGEST_WITH_OUTBOX_SQL, [pgJson(b), events.map((e) => e[0]), events.map((e) => e[1])])
          : await c.query<Stored>(SQL, [pgJson(b)]);
        if (rows.length !== b.length || rows.some((r) => !r.created)) throw new Error('an item was not created');
        // The relay's delete of the rows it takes (IngestRepository.takeByIds), without the queue's jobs.
        if (events)
          await c.query(
            `DELETE FROM domain_event_outbox WHERE id IN (
               SELECT id FROM domain_event_outbox WHERE id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED) RETURNING id`,
            [events.map((e) => e[0])],
          );
      }
    }),
  );
  await (folds ? folds.during(work) : work);
}

const runNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

function runner(c: Client): QueryRunner {
  return { query: (sql: string, params?: unknown[]) => c.query(sql, params).then((r) => r.rows) } as unknown as QueryRunner;
}

/** What a round of one variant wrote and touched (WAL cluster-wide: the rounds run one at a time). */
interface Counters {
  walBytes: number;
  walRecords: number;
  walFpi: number;
  buffers: number;
}

/** The counters now, after the variant's backends flushed their statistics. */
async function counters(monitor: Client, db: string, clients: Client[]): Promise<Counters> {
  for (const c of clients) await c.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await monitor.query<{ wal: string; records: string; fpi: string; buffers: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint AS wal,
            (SELECT wal_records FROM pg_stat_wal) AS records, (SELECT wal_fpi FROM pg_stat_wal) AS fpi,
            (SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = $1) AS buffers`,
    [db],
  );
  const r = rows[0]!;
  return { walBytes: Number(r.wal), walRecords: Number(r.records), walFpi: Number(r.fpi), buffers: Number(r.buffers) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** pg_stat_statements, per variant: the ingest's own statements and the nested ones, per message. */
async function statementsReport(monitor: Client, db: string, n: number): Promise<void> {
  const { rows } = await monitor.query<{
    toplevel: boolean;
    query: string;
    calls: string;
    ms: number;
    hit: string;
    read: string;
    dirtied: string;
    wal_records: string;
    wal_bytes: string;
    wal_fpi: string;
  }>(
    `SELECT s.toplevel, s.query, s.calls, s.total_exec_time AS ms, s.shared_blks_hit AS hit, s.shared_blks_read AS read,
            s.shared_blks_dirtied AS dirtied, s.wal_records, s.wal_bytes, s.wal_fpi
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1
      ORDER BY s.total_exec_time DESC`,
    [db],
  );
  const per = (x: string | number) => Number(x) / n;
  const line = (r: (typeof rows)[number]) =>
    `${((r.ms * 1000) / n).toFixed(1).padStart(7)} µs ${per(r.calls).toFixed(2).padStart(6)} calls ` +
    `${per(Number(r.hit) + Number(r.read))
      .toFixed(1)
      .padStart(6)} bufs ${per(r.dirtied).toFixed(2).padStart(5)} dirtied ` +
    `${per(r.wal_records).toFixed(2).padStart(5)} WAL rec ${per(r.wal_bytes).toFixed(0).padStart(6)} B (fpi ${per(r.wal_fpi).toFixed(2)}) ` +
    `${r.query.replace(/\s+/g, ' ').trim().slice(0, 150)}`;
  log(`${db}: statements per message (pg_stat_statements over the measured rounds, ${n} messages)`);
  for (const r of rows.filter((r) => r.toplevel)) log(`  top    ${line(r)}`);
  for (const r of rows.filter((r) => !r.toplevel).slice(0, STATEMENTS_TOP)) log(`  nested ${line(r)}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-ab-pg-'));
  let pg = await startEmbeddedPostgres({ dataDir: dir, persistent: STATEMENTS, log });
  if (STATEMENTS) {
    // pg_stat_statements is loaded at start only: configured, then the server started again.
    const c = new Client({ connectionString: pg.url('postgres') });
    await c.connect();
    await c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await c.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
    await c.query(`ALTER SYSTEM SET pg_stat_statements.max = 10000`);
    await c.end();
    await pg.stop();
    pg = await startEmbeddedPostgres({ dataDir: dir, persistent: false, log });
  }
  try {
    await ensureDatabase(pg.url('postgres'), 'ab_base');
    if (REPORTS && NEW.length) throw new Error('AB_REPORTS compares one schema with and without the aggregates: no AB_NEW');
    if (REPORTS && B_SQLS.length > 1) throw new Error('AB_REPORTS compares two variants: one AB_B_SQL');
    const older = MIGRATIONS.filter((m) => !NEW.includes(m.name));
    const newer = MIGRATIONS.filter((m) => NEW.includes(m.name));
    if (newer.length !== NEW.length) throw new Error(`unknown migration in ${NEW.join(',')}`);
    const ds = new DataSource({ ...dataSourceOptions(pg.url('ab_base'), 2), migrations: older } as never);
    await ds.initialize();
    await migrate(ds);
    await ds.destroy();

    const setup = new Client({ connectionString: pg.url('ab_base') });
    await setup.connect();
    if (process.env.AB_SCHEMA) {
      for (const sql of [
        `SELECT conrelid::regclass AS t, conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid IN ('conversation'::regclass, 'message'::regclass, 'contact'::regclass, 'contact_identity'::regclass, 'attachment'::regclass, 'domain_event_outbox'::regclass) ORDER BY 1, 2`,
        `SELECT tgrelid::regclass AS t, tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ('conversation'::regclass, 'message'::regclass, 'contact'::regclass, 'contact_identity'::regclass, 'domain_event_outbox'::regclass) ORDER BY 1, 2`,
        `SELECT indrelid::regclass AS t, pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid IN ('conversation'::regclass, 'message'::regclass, 'contact'::regclass, 'contact_identity'::regclass, 'domain_event_outbox'::regclass) ORDER BY 1, 2`,
        `SELECT attrelid::regclass AS t, attname, attgenerated, attstorage, pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE attrelid IN ('conversation'::regclass, 'message'::regclass, 'contact'::regclass) AND attnum > 0 AND NOT attisdropped ORDER BY 1, attnum`,
      ])
        for (const r of (await setup.query(sql)).rows) console.log(Object.values(r).join(' | '));
      if (process.env.AB_SCHEMA === 'functions')
        for (const r of (
          await setup.query<{ def: string }>(
            `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql') ORDER BY p.proname`,
          )
        ).rows)
          console.log(r.def);
      await setup.end();
      return;
    }
    const organizationId = await createOrganization(setup);
    const [teamId] = await createTeams(setup, organizationId, ['État civil']);
    const town: Town = {
      organizationId,
      teamId: teamId!,
      emailChannelId: await createChannel(setup, organizationId, teamId!, 'email'),
      smsChannelId: await createChannel(setup, organizationId, teamId!, 'sms'),
    };
    await replay(
      [setup],
      Array.from({ length: RETURNING }, (_, c) => sms(town, c, `first${c}`)),
    );
    await setup.query('CHECKPOINT');
    await setup.end();

    const names = ['ab_a', ...B_SQLS.map((_, k) => `ab_${String.fromCharCode(98 + k)}`)];
    const label = (k: number) => String.fromCharCode(65 + k);
    const monitor = new Client({ connectionString: pg.url('postgres') });
    await monitor.connect();
    for (const v of names) await monitor.query(`CREATE DATABASE ${v} TEMPLATE ab_base`);
    if (STATEMENTS) await monitor.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
    const variants = await Promise.all(
      names.map(async (db, k) => {
        const clients = [0, 1].map(() => new Client({ connectionString: pg.url(db) }));
        await Promise.all(clients.map((c) => c.connect()));
        const pids = await Promise.all(
          clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid),
        );
        return {
          db,
          name: label(k),
          clients,
          pids,
          batch: k === 0 ? BATCH : BATCH_B,
          ns: 0,
          ms: 0,
          n: 0,
          clientUs: 0,
          /** Per measured round, per message. */
          perRound: [] as Counters[],
          folds: undefined as ReportFolds | undefined,
          /** The fold backend's share of `ns` (B with AB_REPORTS). */
          foldNs: 0,
        };
      }),
    );
    for (const v of variants.slice(1)) {
      for (const M of newer) await (new M() as MigrationInterface).up(runner(v.clients[0]!));
      for (const sql of B_SQLS[variants.indexOf(v) - 1]!) await v.clients[0]!.query(sql);
    }
    if (REPORTS) {
      const [a, b] = variants as [(typeof variants)[number], (typeof variants)[number]];
      for (const [trigger, table] of REPORT_TRIGGERS) await a.clients[0]!.query(`DROP TRIGGER ${trigger} ON ${table}`);
      await a.clients[0]!.query(`DELETE FROM report_pending`);
      const folder = new Client({ connectionString: pg.url(b.db) });
      await folder.connect();
      const folderPid = (await folder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      b.pids.push(folderPid);
      b.folds = new ReportFolds(folder, folderPid);
      log(
        `A = ${older.length} migrations without the reports' triggers, the ingest only; B = the same with them, and the reports' fold every ${FOLD_MS} ms on a third connection`,
      );
    } else {
      log(`A = ${older.length} migrations; batches of ${BATCH} (A) and ${BATCH_B} (the others)`);
      B_SQLS.forEach((sqls, k) =>
        log(`${label(k + 1)} = A + ${[...newer.map((m) => m.name), ...sqls].join(', ') || '(nothing)'}`),
      );
    }
    for (const v of variants) log(`${v.name} (${v.db}): backends ${v.pids.join(', ')}`);

    let seq = 0;
    const ratios: number[][] = variants.map(() => []);
    const round = async (v: (typeof variants)[number], n: number, measure: boolean) => {
      const from = seq;
      const items = Array.from({ length: n }, (_, i) => mixed(town, from + i));
      const before = await counters(monitor, v.db, v.clients);
      const ns0 = v.pids.reduce((s, p) => s + runNs(p), 0);
      const fold0 = v.folds ? runNs(v.pids[v.pids.length - 1]!) : 0;
      if (v.folds) v.folds.measuring = measure;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await replay(v.clients, items, v.batch, v.folds);
      const t = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const ns = v.pids.reduce((s, p) => s + runNs(p), 0) - ns0;
      const after = await counters(monitor, v.db, v.clients);
      const c: Counters = {
        walBytes: (after.walBytes - before.walBytes) / n,
        walRecords: (after.walRecords - before.walRecords) / n,
        walFpi: (after.walFpi - before.walFpi) / n,
        buffers: (after.buffers - before.buffers) / n,
      };
      if (measure) {
        v.ns += ns;
        v.ms += t;
        v.n += n;
        v.clientUs += cpu.user + cpu.system;
        v.perRound.push(c);
        if (v.folds) v.foldNs += runNs(v.pids[v.pids.length - 1]!) - fold0;
      }
      return { ns, t, c };
    };
    // The same items go to each (same externalIds, same citizens): each database sees the same sequence.
    const all = async (n: number, measure: boolean, order: number[]) => {
      const start = seq;
      const out: string[] = [];
      const ns = variants.map(() => 0);
      for (const k of order) {
        seq = start;
        const r = await round(variants[k]!, n, measure);
        ns[k] = r.ns;
        out.push(
          `${label(k)} ${(r.ns / 1e6 / n).toFixed(3)} ms/msg ${r.c.walBytes.toFixed(0)} B WAL ${r.c.buffers.toFixed(0)} bufs`,
        );
      }
      seq = start + n;
      if (measure) variants.forEach((_, k) => ratios[k]!.push(ns[k]! / ns[0]!));
      return `${out.join(', ')}; ${variants
        .slice(1)
        .map((_, k) => `${label(k + 1)}/A ${(ns[k + 1]! / ns[0]!).toFixed(3)}`)
        .join(', ')}`;
    };
    const ids = variants.map((_, k) => k);
    log(`warm-up: ${await all(300, false, ids)}`);
    if (STATEMENTS) await monitor.query('SELECT pg_stat_statements_reset()');
    for (let r = 0; r < ROUNDS; r++) {
      // Each variant first, last, … in turn: A B C, C B A, B C A, A C B, …
      const rotated = ids.map((_, i) => ids[(i + Math.floor(r / 2)) % ids.length]!);
      log(`round ${r + 1}: ${await all(PER_ROUND, true, r % 2 ? rotated.reverse() : rotated)}`);
    }
    for (const [k, rs] of ratios.entries()) {
      if (k === 0) continue;
      const s = [...rs].sort((a, b) => a - b);
      log(`${label(k)}/A per round: median ${median(s).toFixed(3)}, min ${s[0]!.toFixed(3)}, max ${s[s.length - 1]!.toFixed(3)}`);
    }
    for (const v of variants) {
      const check = await v.clients[0]!.query<{ c: number; m: number; k: number; counted: number }>(
        `SELECT (SELECT count(*)::int FROM conversation) AS c, (SELECT count(*)::int FROM message) AS m, (SELECT count(*)::int FROM contact) AS k,
                (SELECT coalesce(sum(created), 0)::int FROM report_daily) AS counted`,
      );
      const m = (f: keyof Counters) => median(v.perRound.map((c) => c[f]));
      log(
        `${v.name} ${v.db}: ${(v.ns / 1e6 / v.n).toFixed(3)} ms backend CPU/msg, ${(v.clientUs / 1e3 / v.n).toFixed(3)} ms client CPU/msg, ${((v.n / v.ms) * 1000).toFixed(0)} msg/s wall; ` +
          `per message (median of rounds): WAL ${m('walBytes').toFixed(0)} B, ${m('walRecords').toFixed(2)} records, ${m('walFpi').toFixed(2)} FPI; ${m('buffers').toFixed(1)} buffers; ` +
          `rows ${JSON.stringify(check.rows[0])}${v.folds ? `, ${v.folds.marks} marks in ${v.folds.folds} folds; ingest backends ${((v.ns - v.foldNs) / 1e6 / v.n).toFixed(3)} + fold backend ${(v.foldNs / 1e6 / v.n).toFixed(3)} ms/msg` : ''}`,
      );
      if (v.folds && PROFILE)
        for (const [sql, p] of [...v.folds.profile].sort((a, b) => b[1].ns - a[1].ns))
          log(`  fold ${((p.ns / 1e3 / v.n) * 1).toFixed(1)} µs/msg, ${p.calls} calls: ${sql}`);
      if (STATEMENTS) await statementsReport(monitor, v.db, v.n);
      await Promise.all([...v.clients, ...(v.folds ? [v.folds.client] : [])].map((c) => c.end()));
    }
    await monitor.end();
  } finally {
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
