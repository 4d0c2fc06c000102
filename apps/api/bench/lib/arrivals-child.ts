/**
 * Child process generating the arrivals of arrivals.ts: HTTP POSTs (each on a connection of its
 * own, as citizens' browsers) or bare SQL statements through a pool, started on schedule without
 * waiting for earlier ones; or agents loading pages in a closed loop. Driven by IPC.
 */
import { Agent, request } from 'node:http';
import { Pool } from 'pg';
import type { ArrivalsCommand, ArrivalsDone, ArrivalsReply, HttpArrivals, PageLoads, SqlArrivals } from './arrivals';
import { HttpProbe } from './http';
import { nowMs, sleep } from './timing';

const reply = (r: ArrivalsReply): void => {
  process.send?.(r);
};

interface Outcome {
  status: number;
  answer: string | null;
  error?: string;
}

function post(url: URL, body: string, timeoutMs: number, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let answer: string | null = null;
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: unknown };
            answer = typeof parsed.status === 'string' ? parsed.status : null;
          } catch {
            /* not JSON: no answer status */
          }
          resolve({ status: res.statusCode ?? 0, answer });
        });
        res.on('error', (e) => resolve({ status: 0, answer: null, error: String(e) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, answer: null, error: String(e) }));
    req.end(body);
  });
}

/** Starts `task(i)` for i in [0, count) at i × spreadMs / count after the first, none awaited before the next starts. */
async function arrive(count: number, spreadMs: number, task: (i: number) => Promise<Outcome>): Promise<ArrivalsDone> {
  const latencies = new Array<number>(count).fill(0);
  const statuses = new Array<number>(count).fill(0);
  const answers = new Array<string | null>(count).fill(null);
  let firstError: string | null = null;
  let maxLatenessMs = 0;
  const spacing = count > 1 ? spreadMs / count : 0;
  const running: Promise<void>[] = [];
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    const due = start + i * spacing;
    const wait = due - nowMs();
    if (wait >= 1) await sleep(wait);
    const began = nowMs();
    maxLatenessMs = Math.max(maxLatenessMs, began - due);
    running.push(
      task(i).then((o) => {
        latencies[i] = nowMs() - began;
        statuses[i] = o.status;
        answers[i] = o.answer;
        if (o.error) firstError ??= o.error;
      }),
    );
  }
  await Promise.all(running);
  return { type: 'done', latencies, statuses, answers, elapsedMs: nowMs() - start, maxLatenessMs, firstError };
}

/**
 * A reverse proxy's upstream connections (nginx's `keepalive size`): `size` opened (by a health
 * probe each) before the clock starts and kept while idle; a request finding them all busy opens
 * another, as nginx does.
 */
async function proxyPool(url: URL, size: number, timeoutMs: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: size });
  const live = new URL('/api/v1/health/live', url);
  await Promise.all(
    Array.from(
      { length: size },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(live, { agent, timeout: timeoutMs }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  return agent;
}

async function runHttp(cmd: HttpArrivals): Promise<ArrivalsDone> {
  const url = new URL(cmd.url);
  const agent = cmd.proxyConnections ? await proxyPool(url, cmd.proxyConnections, cmd.timeoutMs) : false;
  try {
    return await arrive(cmd.bodies.length, cmd.spreadMs, (i) => post(url, cmd.bodies[i]!, cmd.timeoutMs, agent));
  } finally {
    if (agent) agent.destroy();
  }
}

async function runSql(cmd: SqlArrivals): Promise<ArrivalsDone> {
  const pool = new Pool({ connectionString: cmd.databaseUrl, max: cmd.poolSize, application_name: 'guichet-bench-raw' });
  try {
    // The pool's connections are opened before the clock starts, as the app's are.
    const clients = await Promise.all(Array.from({ length: cmd.poolSize }, () => pool.connect()));
    clients.forEach((c) => c.release());
    return await arrive(cmd.params.length, cmd.spreadMs, (i) =>
      pool.query(cmd.sql, cmd.params[i]).then(
        () => ({ status: 1, answer: null }),
        (e: unknown) => ({ status: 0, answer: null, error: String(e) }),
      ),
    );
  } finally {
    await pool.end();
  }
}

/** Each agent's kept-alive connections (one per path of its pages), kept across commands. */
const tabs = new Map<string, HttpProbe[]>();

function connections(cmd: PageLoads, agent: number, count: number): HttpProbe[] {
  const key = `${cmd.baseUrl} ${agent}`;
  const held = tabs.get(key) ?? [];
  while (held.length < count) held.push(new HttpProbe(cmd.baseUrl, cmd.timeoutMs));
  tabs.set(key, held);
  return held;
}

async function runPages(cmd: PageLoads): Promise<ArrivalsDone> {
  let firstError: string | null = null;
  const start = nowMs();
  const perAgent = await Promise.all(
    cmd.agents.map(async (agent, a) => {
      const loads: { ms: number; status: number }[] = [];
      for (const paths of agent.pages) {
        const conns = connections(cmd, a, paths.length);
        const began = nowMs();
        const statuses = await Promise.all(
          paths.map((path, k) =>
            conns[k]!.get(path, agent.token).then(
              (r) => r.status,
              (e: unknown) => {
                firstError ??= String(e);
                return 0;
              },
            ),
          ),
        );
        loads.push({ ms: nowMs() - began, status: statuses.find((s) => s !== 200) ?? 200 });
      }
      return loads;
    }),
  );
  const loads = perAgent.flat();
  return {
    type: 'done',
    latencies: loads.map((l) => l.ms),
    statuses: loads.map((l) => l.status),
    answers: loads.map(() => null),
    elapsedMs: nowMs() - start,
    maxLatenessMs: 0,
    firstError,
  };
}

const run = (cmd: HttpArrivals | SqlArrivals | PageLoads): Promise<ArrivalsDone> =>
  cmd.type === 'http' ? runHttp(cmd) : cmd.type === 'sql' ? runSql(cmd) : runPages(cmd);

process.on('message', (cmd: ArrivalsCommand) => {
  if (cmd.type === 'close') {
    for (const probe of [...tabs.values()].flat()) probe.close();
    process.disconnect?.();
    return;
  }
  run(cmd).then(reply, (e: unknown) => reply({ type: 'error', message: String(e) }));
});
