/**
 * The soak's own servers: an embedded PostgreSQL and a redis-server on free ports (never the
 * machine's 5432 / 6379, which others use), and API instances as child processes of the
 * compiled API (main.js), each restartable and killable like a process under a supervisor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureDatabase,
  freePort,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../src/database/embedded-postgres';
import type { Log } from './env';
import { nowMs, sleep, withTimeout } from './timing';

const waitForPort = async (port: number, timeoutMs: number): Promise<void> => {
  const start = nowMs();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (nowMs() - start > timeoutMs) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
};

const exited = (p: ChildProcess): Promise<void> =>
  p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));

/** A redis-server of the bench's own, without persistence, restartable on the same port. */
export class SoakRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<SoakRedis> {
    const r = new SoakRedis(await freePort());
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: 'ignore' },
    );
    await waitForPort(this.port, 10_000);
  }

  /** SIGTERM, wait for its exit, start again on the same port (clients see their connections drop). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    p.kill('SIGTERM');
    await exited(p);
  }
}

/** An embedded PostgreSQL (as the embedded default starts it) on a free port, restartable on the same data and port. */
export class SoakPostgres {
  private constructor(
    private handle: EmbeddedPostgresHandle,
    private readonly dataDir: string,
    private readonly log: Log,
  ) {}

  static async start(log: Log, database: string): Promise<SoakPostgres> {
    const dataDir = mkdtempSync(join(tmpdir(), 'guichet-soak-pg-'));
    const handle = await startEmbeddedPostgres({ dataDir, persistent: true, log });
    await ensureDatabase(handle.url('postgres'), database);
    return new SoakPostgres(handle, dataDir, log);
  }

  get port(): number {
    return this.handle.port;
  }

  url(database: string): string {
    return this.handle.url(database);
  }

  /** Fast shutdown (every connection is cut), then a start on the same data and port. */
  async restart(): Promise<void> {
    await this.handle.stop();
    this.handle = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.handle.port, persistent: true, log: this.log });
  }

  async stop(): Promise<void> {
    await this.handle.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export interface SoakInstanceEnv {
  databaseUrl: string;
  redisUrl: string;
  appSecret: string;
  encryptionKey: string;
  publicUrl: string;
}

/** How an instance's Node process is started beyond main.js's settings. */
export interface SoakLaunch {
  /** Node options before main.js (e.g. `--expose-gc`, `-r memory-probe.js`). */
  nodeArgs?: string[];
  /** Variables added to its environment (e.g. MALLOC_ARENA_MAX). */
  env?: Record<string, string>;
  /** An IPC channel to the process (what memory-probe.js answers on). */
  ipc?: boolean;
}

export const soakSecrets = (): Pick<SoakInstanceEnv, 'appSecret' | 'encryptionKey'> => ({
  appSecret: randomBytes(24).toString('base64url'),
  encryptionKey: randomBytes(32).toString('hex'),
});

/** One API instance: `node main.js` as the Dockerfile starts it, with the production settings (DATABASE_URL, REDIS_URL, jobs on). */
export class SoakInstance {
  private proc: ChildProcess | null = null;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'guichet-soak-api-'));
  /** The last lines it wrote on stderr (its errors), for the report when it dies. */
  readonly stderrTail: string[] = [];
  starts = 0;
  private stopping = false;
  private killing = false;
  /** Monotonic time it last answered ready. */
  readyAt = Number.NaN;
  unexpectedExits: string[] = [];

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: SoakInstanceEnv,
    private readonly log: Log,
    private readonly launch: SoakLaunch,
  ) {}

  static async create(name: string, env: SoakInstanceEnv, log: Log, launch: SoakLaunch = {}): Promise<SoakInstance> {
    return new SoakInstance(name, await freePort(), env, log, launch);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Running and past its readiness check: what a load balancer's health check sends traffic to. */
  get serving(): boolean {
    return this.running && this.ready;
  }

  private ready = false;

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Starts main.js and waits until /api/v1/health/ready answers 200 (migrations ran, database answers). */
  async start(timeoutMs = 120_000): Promise<number> {
    const started = nowMs();
    const main = join(__dirname, '..', '..', 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`compiled API not found: ${main}`);
    // As the Dockerfile starts it (young generation, malloc arenas: see there).
    const proc = spawn(process.execPath, ['--max-semi-space-size=16', ...(this.launch.nodeArgs ?? []), main], {
      env: {
        MALLOC_ARENA_MAX: '2',
        ...this.launch.env,
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        PORT: String(this.port),
        DATABASE_URL: this.env.databaseUrl,
        REDIS_URL: this.env.redisUrl,
        APP_SECRET: this.env.appSecret,
        ENCRYPTION_KEY: this.env.encryptionKey,
        PUBLIC_URL: this.env.publicUrl,
        DATA_DIR: this.dataDir,
        SEED_DEMO: '0',
        RUN_JOBS: '1',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        PUBLIC_REQUESTS_PER_HOUR: '100000000',
      },
      stdio: this.launch.ipc ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    this.ready = false;
    this.killing = false;
    this.starts++;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        this.stderrTail.push(line.slice(0, 500));
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    });
    proc.once('exit', (code, signal) => {
      if (this.proc === proc && !this.stopping && !this.killing) {
        const why = `${this.name} exited by itself (${signal ?? `code ${code}`}): ${this.stderrTail.slice(-12).join(' | ')}`;
        this.unexpectedExits.push(why);
        this.log(`${why}; restarted as a supervisor would`);
        // As systemd or an orchestrator does: start it again (counted as a failure of the run).
        setTimeout(() => {
          if (this.proc === proc && !this.stopping) this.start().catch((e: unknown) => this.log(`${this.name}: ${String(e)}`));
        }, 1_000);
      }
    });
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited while starting: ${this.stderrTail.slice(-5).join('\n')}`);
      try {
        const res = await fetch(`${this.url}/api/v1/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) {
          this.readyAt = nowMs();
          this.ready = true;
          return this.readyAt - started;
        }
      } catch {
        /* not listening yet */
      }
      if (nowMs() - started > timeoutMs) throw new Error(`${this.name} not ready after ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /** SIGKILL: no shutdown hook runs (as when a machine or a container dies). */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.killing = true;
    p.kill('SIGKILL');
    await exited(p);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    if (!p || !this.running) return;
    p.kill('SIGTERM');
    await Promise.race([exited(p), sleep(12_000)]);
    if (this.running) await this.kill();
  }

  /** Resident set size (kB) from /proc, or null when it is not running. */
  rssKb(): number | null {
    const pid = this.proc?.pid;
    if (!pid || !this.running) return null;
    try {
      return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    } catch {
      return null;
    }
  }

  /** One question over the IPC channel (started with `ipc`), its answer. */
  ask<T>(message: object, timeoutMs = 300_000): Promise<T> {
    const p = this.proc;
    if (!p?.send || !this.running) return Promise.reject(new Error(`${this.name}: no IPC channel`));
    const answer = new Promise<T>((resolve) => {
      p.once('message', (m) => resolve(m as T));
      p.send(message);
    });
    return withTimeout(answer, timeoutMs, `${this.name}: IPC`);
  }

  /** Its GET /metrics text (null when it does not answer within `timeoutMs`). */
  async metrics(timeoutMs = 2_000): Promise<string | null> {
    try {
      const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.status === 200 ? await res.text() : null;
    } catch {
      return null;
    }
  }

  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The value of a gauge line `name{labels} value` in Prometheus text (summed over matching lines). */
export function metricValue(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
