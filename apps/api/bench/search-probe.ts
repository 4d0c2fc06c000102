/**
 * Not a benchmark (`pnpm bench` does not run it): the inbox bench's town (issue 20) seeded once
 * and kept (SEARCH_TOWN, /tmp/search-town), so that a search's statements can be measured again
 * and again without 5 minutes of seeding each time.
 *   cd apps/api && node ../../node_modules/typescript/bin/tsc -b bench
 *   node dist/bench-build/bench/search-probe.js seed [scale: 1 = 1,000,000 files]
 *   node dist/bench-build/bench/search-probe.js explain|time [rounds] [words]   each statement of a search, when each
 *     starts and ends within the call (the critical path), then repo.search
 *   node dist/bench-build/bench/search-probe.js http [rounds] [words,…]         list and searches over HTTP (the app on the town),
 *     PG_SETTINGS='shared_buffers=1GB;io_method=sync' to run the server with other settings (none: its defaults)
 *   node dist/bench-build/bench/search-probe.js sql file.sql [rounds]           statements separated by `-- next`, with $org, $team, $agent, $q
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { Pool, type PoolClient } from 'pg';
import { ensureDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { createApp, prepareDatabase } from '../src/app.factory';
import { HttpProbe } from './lib/http';
import { ConversationRepository, type ConversationFilter } from '../src/modules/conversations/conversation.repository';
import type { Database } from '../src/common/database';
import { benchConfig, type BenchEnv } from './lib/env';
import { seedInbox, type SeededTown } from './inbox-seed';
import { INBOX_DEFAULTS } from './inbox';

const ROOT = process.env.SEARCH_TOWN ?? '/tmp/search-town';
const DB = 'guichet_bench';
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

interface Statement {
  text: string;
  values: unknown[];
}

async function capture(pool: Pool, call: (r: ConversationRepository) => Promise<unknown>): Promise<Statement[]> {
  const out: Statement[] = [];
  const c = await pool.connect();
  try {
    const rec = {
      query: async <T>(text: string, values: unknown[] = []) => {
        out.push({ text, values });
        return (await c.query(text, values)).rows as T[];
      },
    };
    await call(new ConversationRepository(rec as unknown as Database));
  } finally {
    c.release();
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
};

interface Node {
  'Node Type': string;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Exact Heap Blocks'?: number;
  'Lossy Heap Blocks'?: number;
  'Index Name'?: string;
  Plans?: Node[];
}

async function explainStats(c: PoolClient, s: Statement, rounds: number) {
  const exec: number[] = [];
  const plan: number[] = [];
  let buffers = 0;
  for (let i = 0; i < rounds; i++) {
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${s.text}`, s.values);
    const root = (rows[0] as { 'QUERY PLAN': [{ Plan: Node; 'Execution Time': number; 'Planning Time': number }] })[
      'QUERY PLAN'
    ][0];
    exec.push(root['Execution Time']);
    plan.push(root['Planning Time']);
    buffers = (root.Plan['Shared Hit Blocks'] ?? 0) + (root.Plan['Shared Read Blocks'] ?? 0);
  }
  const wall: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await c.query(s.text, s.values);
    wall.push(performance.now() - t);
  }
  const named: number[] = [];
  const name = `p${Math.abs([...s.text].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 7))}`;
  for (let i = 0; i < rounds + 6; i++) {
    const t = performance.now();
    await c.query({ name, text: s.text, values: s.values });
    if (i >= 6) named.push(performance.now() - t);
  }
  return {
    named: median(named),
    exec: median(exec),
    plan: median(plan),
    wall: median(wall),
    wall90: pct(wall, 90),
    buffers,
  };
}

async function explainText(c: PoolClient, s: Statement): Promise<string> {
  const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, s.values);
  return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

function kind(s: Statement): string {
  if (/AS sampled/.test(s.text)) return 'sample';
  if (/AS s, /.test(s.text)) return 'early-walk';
  if (/count\(\*\)::int FROM \(/.test(s.text)) return 'count';
  if (/AS older/.test(s.text)) return 'older';
  if (/ORDER BY c.last_message_at DESC, c.id DESC LIMIT/.test(s.text) && /AS k FROM/.test(s.text)) return 'walk';
  if (/AS b, c.id/.test(s.text)) return 'probe';
  return 'rows';
}

/** The kept town's PostgreSQL; given `settings`, with those alone (ALTER SYSTEM after a RESET ALL, then restarted). */
async function withTown<T>(fn: (pool: Pool, town: SeededTown) => Promise<T>, settings?: [string, string][]): Promise<T> {
  if (settings) {
    const pg = await startEmbeddedPostgres({ dataDir: `${ROOT}/pg`, persistent: true, log });
    const c = new Pool({ connectionString: pg.url(DB), max: 1 });
    await c.query('ALTER SYSTEM RESET ALL');
    for (const [k, v] of settings) await c.query(`ALTER SYSTEM SET ${k} = ${v}`);
    await c.end();
    await pg.stop();
  }
  const pg = await startEmbeddedPostgres({ dataDir: `${ROOT}/pg`, persistent: true, log });
  const pool = new Pool({ connectionString: pg.url(DB), max: 4 });
  try {
    const town = JSON.parse(readFileSync(`${ROOT}/town.json`, 'utf8')) as SeededTown;
    return await fn(pool, town);
  } finally {
    await pool.end();
    await pg.stop();
  }
}

function filters(town: SeededTown, q: string): { name: string; f: ConversationFilter & { q: string } }[] {
  return [
    { name: 'supervisor', f: { organizationId: town.organizationId, q, limit: 26 } },
    {
      name: 'agent',
      f: { organizationId: town.organizationId, visibleTeamIds: [town.teamIds[0]!], orSelf: town.agentIds[0]!, q, limit: 26 },
    },
  ];
}

async function main() {
  const [mode, arg, arg2] = process.argv.slice(2);
  if (mode === 'seed') {
    const scale = Number(arg ?? 0.25);
    mkdirSync(ROOT, { recursive: true });
    const pg = await startEmbeddedPostgres({ dataDir: `${ROOT}/pg`, persistent: true, log });
    try {
      await ensureDatabase(pg.url('postgres'), DB);
      mkdirSync(`${ROOT}/data`, { recursive: true });
      await prepareDatabase(benchConfig(pg.url(DB), `${ROOT}/data`));
      const db = new Pool({ connectionString: pg.url(DB), max: 4 });
      try {
        const d = INBOX_DEFAULTS;
        const conversations = Math.round(d.conversations * scale);
        const town = await seedInbox(
          { db } as unknown as BenchEnv,
          {
            conversations,
            messages: (conversations * d.messages) / d.conversations,
            contacts: Math.round(d.contacts * scale),
            agentsPerTeam: d.agentsPerTeam,
          },
          log,
        );
        writeFileSync(`${ROOT}/town.json`, JSON.stringify(town));
        log(`town: ${JSON.stringify({ ...town, steps: undefined })}`);
      } finally {
        await db.end();
      }
    } finally {
      await pg.stop();
    }
    return;
  }
  if (mode === 'explain' || mode === 'time') {
    const rounds = Number(arg ?? 21);
    const q = arg2 ?? 'Martin';
    await withTown(async (pool, town) => {
      const c = await pool.connect();
      try {
        const { rows } = await c.query(
          `SELECT name, setting FROM pg_settings WHERE name IN ('server_version','shared_buffers','jit','work_mem','effective_io_concurrency','io_method')`,
        );
        log(rows.map((r: Record<string, string>) => `${r.name}=${r.setting}`).join(' '));
        for (const { name, f } of filters(town, q)) {
          const sts = await capture(pool, (r) => r.search(f));
          log(`== ${name}: ${sts.length} statements: ${sts.map(kind).join(', ')}`);
          for (const s of sts) {
            if (mode === 'explain') {
              log(`-- ${name} ${kind(s)}:\n${s.text}\n${JSON.stringify(s.values)}\n${await explainText(c, s)}`);
            }
            const st = await explainStats(c, s, rounds);
            log(
              `   ${name} ${kind(s)}: exec median ${st.exec.toFixed(3)} ms, planning ${st.plan.toFixed(3)} ms, wall median ${st.wall.toFixed(3)} (p90 ${st.wall90.toFixed(3)}) ms, prepared ${st.named.toFixed(3)} ms, buffers ${st.buffers}`,
            );
          }
        }
        // The repository call end to end (pool of 4, as the app's concurrent statements), and when
        // each of its statements starts and ends from the call's start (medians): the critical path.
        for (const { name, f } of filters(town, q)) {
          const spans = new Map<string, { start: number[]; end: number[] }>();
          let t0 = 0;
          let measured = false;
          const repo = new ConversationRepository({
            query: async (t: string, v: unknown[] = []) => {
              const start = performance.now() - t0;
              const rows = (await pool.query(t, v)).rows;
              if (measured) {
                const k = kind({ text: t, values: v });
                const span = spans.get(k) ?? { start: [], end: [] };
                span.start.push(start);
                span.end.push(performance.now() - t0);
                spans.set(k, span);
              }
              return rows;
            },
          } as unknown as Database);
          const times: number[] = [];
          let total = '';
          for (let i = 0; i < rounds + 5; i++) {
            measured = i >= 5;
            t0 = performance.now();
            const r = await repo.search(f);
            if (measured) times.push(performance.now() - t0);
            total = `${r.total.count}${r.total.more ? '+' : ''} first ${r.rows[0]?.id}`;
          }
          log(`   ${name} repo.search: median ${median(times).toFixed(3)} p90 ${pct(times, 90).toFixed(3)} ms (${total})`);
          log(
            `   ${name} timeline (medians, ms from the call's start): ${[...spans]
              .map(([k, sp]) => `${k} ${median(sp.start).toFixed(2)}→${median(sp.end).toFixed(2)}`)
              .join(', ')}`,
          );
        }
      } finally {
        c.release();
      }
    });
    return;
  }
  if (mode === 'http') {
    // The HTTP calls of the inbox bench on the kept town: list, « Martin » as supervisor and as agent, rotating.
    const rounds = Number(arg ?? 600);
    // PG_SETTINGS='shared_buffers=1GB;io_method=sync': the server's settings for this run (ALTER
    // SYSTEM, every other one reset), to compare a request's time under two configurations.
    const settings = (process.env.PG_SETTINGS ?? '')
      .split(';')
      .filter(Boolean)
      .map((kv): [string, string] => {
        const [k, v] = kv.split('=');
        return [k!.trim(), `'${v!.trim()}'`];
      });
    await withTown(async (_pool, town) => {
      const app = await createApp({ ...benchConfig(_pool.options.connectionString!, `${ROOT}/data`) });
      try {
        const http = new HttpProbe(app.url);
        const words = (arg2 ?? 'Martin').split(',');
        const probes: [string, string, string][] = [
          ['list', `/api/v1/conversations?teamId=${town.teamIds[0]}&status=open&limit=25`, town.supervisorToken],
          ...words.flatMap((q): [string, string, string][] => [
            [`${q} sup`, `/api/v1/conversations?limit=25&q=${encodeURIComponent(q)}`, town.supervisorToken],
            [`${q} agent`, `/api/v1/conversations?limit=25&q=${encodeURIComponent(q)}`, town.agentToken],
          ]),
        ];
        const t = new Map(probes.map(([n]) => [n, [] as number[]]));
        for (let r = 0; r < rounds + 50; r++)
          for (let k = 0; k < probes.length; k++) {
            const [n, path, token] = probes[(r + k) % probes.length]!;
            const res = await http.get(path, token);
            if (res.status !== 200) throw new Error(`${n}: ${res.status} ${res.body.slice(0, 200)}`);
            if (r >= 50) t.get(n)!.push(res.ms);
          }
        const list99 = pct(t.get('list')!, 99);
        for (const [n, xs] of t)
          log(
            `${n}: p50 ${median(xs).toFixed(2)} p99 ${pct(xs, 99).toFixed(2)} ms (${(pct(xs, 99) / list99).toFixed(2)} × list p99)`,
          );
      } finally {
        await app.close();
      }
    }, settings);
    return;
  }
  if (mode === 'sql') {
    const text0 = readFileSync(arg!, 'utf8');
    const rounds = Number(arg2 ?? 21);
    await withTown(async (pool, town) => {
      const c = await pool.connect();
      try {
        for (const part of text0.split(/\n-- ?next\n/)) {
          const values: unknown[] = [];
          const text = part.replace(/\$(org|team|agent|q)\b/g, (_, k: string) => {
            values.push(
              k === 'org' ? town.organizationId : k === 'team' ? town.teamIds[0] : k === 'agent' ? town.agentIds[0] : 'Martin',
            );
            return `$${values.length}`;
          });
          const s = { text, values };
          log(`-- ${part.split('\n')[0]}\n${await explainText(c, s)}`);
          const st = await explainStats(c, s, rounds);
          log(
            `   exec median ${st.exec.toFixed(3)} ms, planning ${st.plan.toFixed(3)}, wall median ${st.wall.toFixed(3)} (p90 ${st.wall90.toFixed(3)}), prepared ${st.named.toFixed(3)}, buffers ${st.buffers}`,
          );
        }
      } finally {
        c.release();
      }
    });
    return;
  }
  throw new Error(`mode? ${mode} ${existsSync(ROOT)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
