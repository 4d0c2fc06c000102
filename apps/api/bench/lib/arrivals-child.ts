/**
 * Child process generating the arrivals of arrivals.ts: HTTP POSTs (each on a connection of its
 * own, as citizens' browsers) or bare SQL statements through a pool, started on schedule without
 * waiting for earlier ones. Driven by IPC.
 */
import { request } from 'node:http';
import { Pool } from 'pg';
import type { ArrivalsCommand, ArrivalsDone, ArrivalsReply, HttpArrivals, SqlArrivals } from './arrivals';
import { nowMs, sleep } from './timing';

const reply = (r: ArrivalsReply): void => {
  process.send?.(r);
};

interface Outcome {
  status: number;
  answer: string | null;
  error?: string;
}

function post(url: URL, body: string, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
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

function runHttp(cmd: HttpArrivals): Promise<ArrivalsDone> {
  const url = new URL(cmd.url);
  return arrive(cmd.bodies.length, cmd.spreadMs, (i) => post(url, cmd.bodies[i]!, cmd.timeoutMs));
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

process.on('message', (cmd: ArrivalsCommand) => {
  if (cmd.type === 'close') {
    process.disconnect?.();
    return;
  }
  (cmd.type === 'http' ? runHttp(cmd) : runSql(cmd)).then(reply, (e: unknown) => reply({ type: 'error', message: String(e) }));
});
