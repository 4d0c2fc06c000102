/**
 * What an API instance keeps of the agents who leave it (issue 18: in the soak hour, instance B grew
 * 35 MiB when it took A's 99 agents after A's SIGKILL, and kept it when half of them left).
 *
 * Two instances on a PostgreSQL and a Redis of its own, started as the soak starts them
 * (soak-stack.ts), instance B with memory-probe.js. Each cycle, `--agents` socket.io agents
 * (sessions' bearer tokens, websocket transport, spread over the seven services as in the soak)
 * connect to B, read their service's list as after a reconnect, receive the events of
 * `--requests` web form requests (sent to A and B in turn: half reach B through Redis), then all
 * disconnect. After each step B answers, after two full collections, what it holds. Memory that
 * grows with every cycle is retained per socket (a leak); memory that stays at the first cycle's
 * level is a high-water mark.
 *
 * Found with it (100 agents, 200 requests a cycle, six cycles; MiB after the agents left and two
 * full collections): no per-socket retention (heap in use 69.9 → 71.7, JIT code; heap snapshots
 * after cycles 1 and 3 differ by 1.1 MiB, 0.9 of it code: none of a cycle's 100 sockets is kept),
 * but V8's default young generation (2 × 64 MiB committed, 2–3 in use) growing resident with each
 * burst: RSS 244 → 321 (+31 %), V8 pages resident 148 → 199, malloc's heaps 19 → 33 (malloc_trim
 * gives 10 back). With --max-semi-space-size=16: 213 → 232 (+9 %), V8 resident ~110; with
 * MALLOC_ARENA_MAX=2 as well (what the Dockerfile and the soak's instances now start with):
 * 214 → 223 (+4 %), flat from the second cycle (221–223), malloc's heaps 20 throughout. The
 * smaller young generation costs no CPU here: B's 26.8 s over four cycles against 27.1 s by default
 * (93 scavenges instead of 15, each shorter).
 *
 *   tsc -b apps/api/bench && node apps/api/dist/bench-build/bench/socket-memory.js
 *     [--agents 100] [--cycles 5] [--requests 300]
 *     [--env MALLOC_ARENA_MAX=16] [--node-arg=--max-semi-space-size=64] (glibc's default on 2 cores,
 *     V8's: they replace soak-stack.ts's)
 *     [--snapshots DIR] (heap snapshots of B at the start, after cycle 1 and after the last)
 *     [--trim] (at the end, gdb asks B's malloc to give its free memory back: what of RSS it held)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { connectAgent, type AgentClient } from '@guichet/testing';
import {
  createAgents,
  createChannel,
  createOrganization,
  createTeams,
  MUNICIPAL_SERVICES,
  type BenchAgent,
} from './lib/fixtures';
import type { ProbeMemory } from './lib/memory-probe';
import { metricValue, soakSecrets, SoakInstance, SoakPostgres, SoakRedis } from './lib/soak-stack';
import { nowMs, sleep } from './lib/timing';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100' },
    cycles: { type: 'string', default: '5' },
    requests: { type: 'string', default: '300' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    snapshots: { type: 'string' },
    trim: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(values.agents);
const CYCLES = Number(values.cycles);
const REQUESTS = Number(values.requests);
const extraEnv = Object.fromEntries(values.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const mib = (b: number) => (b / 2 ** 20).toFixed(1).padStart(6);

const rows: { step: string; m: ProbeMemory }[] = [];
const header = `${'step'.padEnd(22)}    rss   anon malloc heapTot heapUsed heapPhys extern  (MiB)   V8 spaces (committed/used)`;
const SPACES: [string, string][] = [
  ['new_space', 'new'],
  ['old_space', 'old'],
  ['code_space', 'code'],
  ['large_object_space', 'lo'],
];
const line = ({ step, m }: { step: string; m: ProbeMemory }) =>
  `${step.padEnd(22)}${mib(m.rss)} ${mib(m.rssAnon)} ${mib(m.rssMalloc)}  ${mib(m.heapTotal)}   ${mib(m.heapUsed)}   ${mib(m.heapPhysical)} ${mib(m.external)}          ${SPACES.map(
    ([k, short]) => `${short} ${(m.spaces[k]!.size / 2 ** 20).toFixed(0)}/${(m.spaces[k]!.used / 2 ** 20).toFixed(0)}`,
  ).join(' ')}`;

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    cleanups.length = 0;
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const pg = await SoakPostgres.start(log, 'guichet_socket_memory');
    cleanups.push(() => pg.stop());
    const redis = await SoakRedis.start();
    cleanups.push(() => redis.stop());
    const env = {
      databaseUrl: pg.url('guichet_socket_memory'),
      redisUrl: redis.url,
      publicUrl: 'http://guichet.memory',
      ...soakSecrets(),
    };
    const launch = {
      nodeArgs: ['--expose-gc', '-r', join(__dirname, 'lib', 'memory-probe.js'), ...values['node-arg']],
      env: extraEnv,
      ipc: true,
    };
    const a = await SoakInstance.create('instance A', env, log);
    const b = await SoakInstance.create('instance B', env, log, launch);
    for (const x of [a, b]) cleanups.push(() => x.stop().then(() => x.cleanup()));
    await a.start();
    await b.start();
    log(`B (pid ${b.pid}): node ${launch.nodeArgs.slice(3).join(' ') || '(no extra option)'}, env ${JSON.stringify(extraEnv)}`);

    const db = new Pool({ connectionString: env.databaseUrl, max: 2 });
    cleanups.push(() => db.end());
    const organizationId = await createOrganization(db, 'Ville de Mémoire-sur-Socket');
    const { rows: org } = await db.query<{ slug: string }>(`SELECT slug FROM organization WHERE id = $1`, [organizationId]);
    const teamIds = await createTeams(db, organizationId, MUNICIPAL_SERVICES);
    await createChannel(db, organizationId, teamIds[0]!, 'webform');
    const agents: (BenchAgent & { teamId: string })[] = [];
    for (let t = 0; t < teamIds.length; t++) {
      const n = Math.floor(AGENTS / teamIds.length) + (t < AGENTS % teamIds.length ? 1 : 0);
      for (const x of await createAgents(db, { organizationId, role: 'agent', teamIds: [teamIds[t]!], count: n }))
        agents.push({ ...x, teamId: teamIds[t]! });
    }

    const measure = async (step: string) => {
      const m = await b.ask<ProbeMemory>({ type: 'memory', gc: true });
      rows.push({ step, m });
      log(line({ step, m }));
      return m;
    };
    const snapshot = async (name: string) => {
      if (!values.snapshots) return;
      const r = await b.ask<{ path: string }>({ type: 'snapshot', path: join(values.snapshots, `${name}.heapsnapshot`) });
      log(`heap snapshot ${r.path}`);
    };
    const socketsOnB = async () => metricValue((await b.metrics()) ?? '', 'guichet_socket_connections');

    let sent = 0;
    const request = async (i: number) => {
      const target = i % 2 ? a : b;
      const res = await fetch(`${target.url}/api/v1/public/organizations/${org[0]!.slug}/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          teamId: teamIds[i % teamIds.length],
          name: `Citoyenne ${i}`,
          email: `citoyenne.${i % 300}@exemple.fr`,
          subject: `Demande ${i}`,
          body: `Bonjour, voici ma demande numéro ${i}, avec un peu de texte pour qu'elle ait la taille d'une vraie. `.repeat(3),
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 200) throw new Error(`request ${i}: ${res.status}`);
    };

    log(header);
    await measure('start');
    await snapshot('0-start');
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const received = new Map<AgentClient, number>();
      const clients: AgentClient[] = [];
      for (let i = 0; i < agents.length; i += 20) {
        await Promise.all(
          agents.slice(i, i + 20).map(
            (x) =>
              new Promise<void>((resolve, reject) => {
                const s = connectAgent(b.url, x.token);
                clients.push(s);
                received.set(s, 0);
                s.on('message.created', () => received.set(s, received.get(s)! + 1));
                s.once('connect', () => resolve());
                s.once('connect_error', reject);
              }),
          ),
        );
      }
      // What the soak's agents do after a reconnect: read their service's list again.
      await Promise.all(
        agents.map(async (x) => {
          const q = new URLSearchParams({ teamId: x.teamId, status: 'open,pending,snoozed,resolved,closed', limit: '100' });
          const res = await fetch(`${b.url}/api/v1/conversations?${q}`, { headers: { authorization: `Bearer ${x.token}` } });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`list: ${res.status}`);
        }),
      );
      const m = await measure(`${cycle}: ${await socketsOnB()} connected`);
      log(
        `  handles: ${Object.entries(m.resources)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      // Each request reaches the agents of its service (message.created), 4 at a time.
      const expected = agents.length * REQUESTS;
      const teamSize = (i: number) => agents.filter((x) => x.teamId === teamIds[i % teamIds.length]).length;
      const want = Array.from({ length: REQUESTS }, (_, k) => teamSize(sent + k)).reduce((s, n) => s + n, 0);
      const start = nowMs();
      for (let k = 0; k < REQUESTS; k += 4)
        await Promise.all([0, 1, 2, 3].filter((j) => k + j < REQUESTS).map((j) => request(sent + k + j)));
      sent += REQUESTS;
      const got = () => [...received.values()].reduce((s, n) => s + n, 0);
      while (got() < want && nowMs() - start < 120_000) await sleep(200);
      log(`cycle ${cycle}: ${REQUESTS} requests, ${got()} / ${want} message events received (${expected} agent × request pairs)`);
      await measure(`${cycle}: after events`);
      for (const s of clients) s.close();
      while ((await socketsOnB()) > 0) await sleep(200);
      // The « who is online » broadcast after the last disconnection (coalesced over 100 ms).
      await sleep(1_000);
      const left = await measure(`${cycle}: all left`);
      log(
        `  handles: ${Object.entries(left.resources)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      if (cycle === 1) await snapshot('1-left');
      if (cycle === CYCLES && CYCLES > 1) await snapshot(`${cycle}-left`);
    }
    if (values.trim) {
      const r = spawnSync('gdb', ['-p', String(b.pid), '-batch', '-ex', 'call (int) malloc_trim(0)'], { encoding: 'utf8' });
      log(`gdb malloc_trim(0): ${(/\$1 = (\d+)/.exec(r.stdout)?.[1] ?? r.stderr.split('\n').slice(-3).join(' ')).trim()}`);
      await measure('after malloc_trim');
    }
    console.log(`\n${header}\n${rows.map(line).join('\n')}`);
    const [first, last] = [rows[0]!.m, rows.at(-1)!.m];
    console.log(
      `B from start to end: CPU ${((last.cpuMs - first.cpuMs) / 1e3).toFixed(1)} s; V8's own collections: ${last.gc.scavenges - first.gc.scavenges} scavenges (${((last.gc.scavengeMs - first.gc.scavengeMs) / 1e3).toFixed(2)} s), ${last.gc.others - first.gc.others} others (${((last.gc.othersMs - first.gc.othersMs) / 1e3).toFixed(2)} s)`,
    );
  } finally {
    await cleanUp();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
