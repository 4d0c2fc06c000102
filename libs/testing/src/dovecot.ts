import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';

/**
 * A real Dovecot (Debian's dovecot-imapd) for tests, from its own config in a temp dir: no
 * systemd, plaintext auth on 127.0.0.1, passwd-file users with {PLAIN} passwords, maildir.
 * A missing binary is an error (tests must fail, never skip): `.ci/run` installs it.
 */
export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  dir: string;
  /** Adds a passwd-file user; resolves once Dovecot accepts its login (it re-reads the file at most once a second). */
  addUser(user?: string, password?: string): Promise<DovecotUser>;
  /** APPENDs a raw message over IMAP; resolves with its UID. */
  append(u: DovecotUser, raw: string | Buffer, folder?: string, flags?: string[], internalDate?: Date): Promise<number>;
  /** An IMAP client logged in as `u` (the caller logs out). */
  client(u: DovecotUser): Promise<ImapFlow>;
  createFolder(u: DovecotUser, folder: string): Promise<void>;
  /** Drops a message straight into the INBOX maildir (`new/`), as an MTA does: works while Dovecot is stopped. */
  deliverToMaildir(u: DovecotUser, raw: string | Buffer): void;
  /** UIDs and flags of a folder, for assertions. */
  list(u: DovecotUser, folder?: string): Promise<{ uid: number; flags: string[]; messageId?: string }[]>;
  uidValidity(u: DovecotUser, folder?: string): Promise<bigint>;
  /** Stops the server (SIGTERM to the master, waits until the port is closed). */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Server migration: the INBOX gets a new UIDVALIDITY and renumbered UIDs (server stopped meanwhile). */
  changeUidValidity(u: DovecotUser): Promise<void>;
  close(): Promise<void>;
}

const DOVECOT_BIN = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'];

function findDovecot(): string {
  const found = DOVECOT_BIN.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'dovecot introuvable : installez-le (apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd), comme le fait .ci/run',
    );
  }
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function uidOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`utilisateur système ${name} introuvable`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startDovecot(): Promise<Dovecot> {
  const bin = findDovecot();
  const dir = join(tmpdir(), `guichet-dovecot-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const owner = root ? uidOf('mail') : { uid: process.getuid!(), gid: process.getgid!() };
  const port = await freePort();
  const instance = `guichet-${randomBytes(3).toString('hex')}`;
  const usersFile = join(dir, 'users');
  writeFileSync(usersFile, '');
  const me = userInfo().username;
  const config = [
    `instance_name = ${instance}`,
    `shutdown_clients = yes`,
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `listen = 127.0.0.1`,
    `protocols = imap`,
    `ssl = no`,
    `disable_plaintext_auth = no`,
    `auth_mechanisms = plain login`,
    `mail_location = maildir:~/Maildir`,
    `first_valid_uid = 1`,
    `mailbox_idle_check_interval = 1 secs`,
    `auth_failure_delay = 0 secs`,
    `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${usersFile}\n}`,
    `userdb {\n  driver = passwd-file\n  args = username_format=%u ${usersFile}\n}`,
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n${root ? '' : '  chroot =\n  user = ' + me + '\n'}}`,
    `protocol imap {\n  mail_max_userip_connections = 200\n}`,
    ...(root
      ? []
      : [
          `default_internal_user = ${me}`,
          `default_login_user = ${me}`,
          `default_internal_group = ${userInfo().username}`,
          `service anvil {\n  chroot =\n}`,
        ]),
    '',
  ].join('\n');
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, config);
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub), { recursive: true });

  const users: DovecotUser[] = [];
  const home = (user: string) => join(dir, 'home', user);

  async function start(): Promise<void> {
    // The master daemonizes: no pipes, or spawnSync would wait for the daemon's inherited stdio.
    const result = spawnSync(bin, ['-c', configFile], { stdio: 'ignore' });
    if (result.status !== 0) {
      const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-2000) : '';
      throw new Error(`dovecot n'a pas démarré (${result.status}) : ${log}`);
    }
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(port))) {
      if (Date.now() > deadline) throw new Error(`dovecot n'écoute pas sur ${port}`);
      await sleep(30);
    }
  }

  async function stop(): Promise<void> {
    const pidFile = join(dir, 'run', 'master.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = Date.now() + 5_000;
    for (;;) {
      if (!running(pid) && !(await portOpen(port))) break;
      if (Date.now() > deadline) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        break;
      }
      await sleep(50);
    }
    // Client processes of this instance (their title names it) must not outlive the master.
    for (const child of instanceProcesses(instance)) {
      try {
        process.kill(child, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  async function client(u: DovecotUser): Promise<ImapFlow> {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: u.user, pass: u.password },
      logger: false,
      disableAutoIdle: true,
      tls: { rejectUnauthorized: false },
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  async function withClient<T>(u: DovecotUser, work: (c: ImapFlow) => Promise<T>): Promise<T> {
    const c = await client(u);
    try {
      return await work(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  }

  await start();

  return {
    host: '127.0.0.1',
    port,
    dir,
    async addUser(user = `u${randomBytes(4).toString('hex')}`, password = randomBytes(8).toString('hex')) {
      const h = home(user);
      mkdirSync(h, { recursive: true });
      if (root) chownSync(h, owner.uid, owner.gid);
      const current = readFileSync(usersFile, 'utf8');
      // A new file (new inode): Dovecot reloads a passwd-file on inode or mtime change, and mtime has whole seconds.
      const next = `${usersFile}.${randomBytes(3).toString('hex')}`;
      writeFileSync(next, `${current}${user}:{PLAIN}${password}:${owner.uid}:${owner.gid}::${h}\n`);
      renameSync(next, usersFile);
      const u = { user, password };
      users.push(u);
      const deadline = Date.now() + 5000;
      for (;;) {
        try {
          const c = await client(u);
          await c.logout().catch(() => c.close());
          return u;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await sleep(100);
        }
      }
    },
    append: (u, raw, folder = 'INBOX', flags = [], internalDate) =>
      withClient(u, async (c) => {
        const res = await c.append(folder, typeof raw === 'string' ? Buffer.from(raw) : raw, flags, internalDate);
        if (!res) throw new Error('APPEND refusé');
        return res.uid ?? 0;
      }),
    client,
    deliverToMaildir(u, raw) {
      const dirNew = join(home(u.user), 'Maildir', 'new');
      mkdirSync(dirNew, { recursive: true });
      const file = join(dirNew, `${Date.now()}.${randomBytes(6).toString('hex')}.guichet-test`);
      writeFileSync(file, raw);
      if (root) {
        for (const p of [join(home(u.user), 'Maildir'), dirNew, file]) chownSync(p, owner.uid, owner.gid);
      }
    },
    createFolder: (u, folder) =>
      withClient(u, async (c) => {
        await c.mailboxCreate(folder);
      }),
    list: (u, folder = 'INBOX') =>
      withClient(u, async (c) => {
        const box = await c.mailboxOpen(folder, { readOnly: true });
        if (!box.exists) return [];
        const out = [];
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({ uid: m.uid, flags: [...(m.flags ?? [])], messageId: m.envelope?.messageId });
        }
        return out;
      }),
    uidValidity: (u, folder = 'INBOX') =>
      withClient(u, async (c) => {
        const box = await c.mailboxOpen(folder, { readOnly: true });
        return box.uidValidity;
      }),
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async changeUidValidity(u) {
      await stop();
      const maildir = join(home(u.user), 'Maildir');
      for (const f of readdirSync(maildir)) {
        if (f === 'dovecot-uidlist' || f.startsWith('dovecot.index')) rmSync(join(maildir, f), { force: true });
      }
      const validityFile = join(maildir, 'dovecot-uidvalidity');
      if (existsSync(validityFile)) {
        // The next UIDVALIDITY comes from this counter: move it well away from the old value.
        const next = (parseInt(readFileSync(validityFile, 'utf8').trim(), 16) + 1000).toString(16);
        writeFileSync(validityFile, `${next}\n`);
        if (root) chownSync(validityFile, owner.uid, owner.gid);
        for (const f of readdirSync(maildir)) if (f.startsWith('dovecot-uidvalidity.')) rmSync(join(maildir, f), { force: true });
      }
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Whether `pid` still runs. The master daemonized: once it exits, it stays a zombie until init
 * reaps it, and the PID 1 of a container or micro-VM may never do so, where signal 0 still reaches
 * it (each stop then waited out its whole 5 s).
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of this Dovecot instance's processes (titles like `dovecot-guichet-ab12cd/imap`). */
function instanceProcesses(instance: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(`dovecot-${instance}/`) || cmd.includes(`${instance}/`)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** For debugging a failing test: the end of Dovecot's log. */
export function dovecotLog(d: Dovecot): string {
  const f = join(d.dir, 'dovecot.log');
  return existsSync(f) ? readFileSync(f, 'utf8').slice(-4000) : '';
}
