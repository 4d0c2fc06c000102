import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '../../src/database/embedded-postgres';
import { startTestApp } from '../harness';

const root = join(__dirname, '..', '..', '..', '..');
const PASSWORD = 'la-mairie-ouvre-a-8h30';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `pnpm guichet …` as an installer types it (`viaPnpm`: the script compiles the API first), or
 * the compiled CLI it runs, in a clean environment (no test database leaks in).
 */
function guichet(args: string[], env: Record<string, string>, viaPnpm = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = viaPnpm
      ? ['pnpm', ['guichet', ...args]]
      : [process.execPath, [join(root, 'apps/api/dist/cli.js'), ...args]];
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const setupArgs = (slug: string, email: string) => [
  'setup',
  '--name',
  'Ville de Saint-Essai',
  '--slug',
  slug,
  '--admin-name',
  'Anne Administratrice',
  '--admin-email',
  email,
  '--admin-password',
  PASSWORD,
];

/** An empty database (no template: the CLI runs the migrations itself). */
async function emptyDatabase(): Promise<string> {
  const server = process.env.GUICHET_TEST_PG!;
  const name = `cli_${randomBytes(5).toString('hex')}`;
  const c = new Client({ connectionString: server });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.replace(/\/postgres$/, `/${name}`);
}

async function login(url: string, email: string, password: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: await res.json() };
}

describe('pnpm guichet (installation from the shell)', () => {
  it('sets up a town on an empty DATABASE_URL once, refuses a second time, and create-admin adds an admin who can log in', async () => {
    const databaseUrl = await emptyDatabase();
    const env = { DATABASE_URL: databaseUrl };
    const first = await guichet(setupArgs('saint-essai', 'anne@saint-essai.fr'), env, true);
    expect(first.stderr).not.toMatch(/Error|erreur/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Organisation « Ville de Saint-Essai » (saint-essai) créée');

    const again = await guichet(setupArgs('autre-ville', 'autre@autre-ville.fr'), env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Guichet est déjà configuré : une organisation existe');

    const weak = await guichet(
      ['create-admin', '--slug', 'saint-essai', '--email', 'bob@saint-essai.fr', '--password', 'azertyuiop'],
      env,
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('--password: ce mot de passe est trop courant');
    const unknown = await guichet(
      ['create-admin', '--slug', 'nulle-part', '--email', 'bob@saint-essai.fr', '--password', PASSWORD],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Organisation « nulle-part » introuvable');
    const added = await guichet(
      ['create-admin', '--slug', 'saint-essai', '--email', 'bob@saint-essai.fr', '--password', PASSWORD],
      env,
    );
    expect(added.code).toBe(0);
    // Bob, an admin of the town, is named platform administrator; an unknown address needs a password.
    const promoted = await guichet(['create-platform-admin', '--slug', 'saint-essai', '--email', 'bob@saint-essai.fr'], env);
    expect(promoted).toMatchObject({ code: 0, stdout: expect.stringContaining('est désormais administrateur de la plateforme') });
    const nobody = await guichet(['create-platform-admin', '--slug', 'saint-essai', '--email', 'eve@saint-essai.fr'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('donnez --password pour le créer');

    const t = await startTestApp({ databaseUrl, seedDemo: true });
    try {
      const anne = await login(t.url, 'anne@saint-essai.fr', PASSWORD);
      expect(anne.status).toBe(200);
      expect(anne.body.agent).toMatchObject({
        role: 'admin',
        organization: { slug: 'saint-essai', name: 'Ville de Saint-Essai' },
      });
      // The first run's administrator runs the platform; so does Bob, named from the shell.
      expect(anne.body.agent.platformAdmin).toBe(true);
      expect((await login(t.url, 'bob@saint-essai.fr', PASSWORD)).body.agent).toMatchObject({
        role: 'admin',
        platformAdmin: true,
      });
      // The demo town is never seeded beside a town that was set up.
      expect((await t.db.query(`SELECT slug FROM organization`)).rows).toEqual([{ slug: 'saint-essai' }]);
      const audit = await t.db.query(`SELECT action, data FROM audit_event ORDER BY created_at`);
      expect(audit.rows.map((r) => r.action)).toEqual([
        'organization.created',
        'agent.created',
        'agent.platform_admin_granted',
        'agent.signed_in',
        'agent.signed_in',
      ]);
      expect(JSON.stringify(audit.rows)).not.toContain(PASSWORD);
    } finally {
      await t.close();
    }
  });

  it('on the embedded default, starts and stops its own PostgreSQL, and pnpm start then serves that town, not the demo', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'guichet-cli-'));
    const env = { DATA_DIR: dataDir };
    try {
      const setup = await guichet(setupArgs('ville-embarquee', 'anne@ville-embarquee.fr'), env, true);
      expect(setup.code).toBe(0);
      const again = await guichet(setupArgs('ville-embarquee', 'anne@ville-embarquee.fr'), env);
      expect(again.code).toBe(1);

      // What `pnpm start` runs once built, with the same data directory and the demo's default (SEED_DEMO unset).
      const port = await freePort();
      const server = spawn(process.execPath, [join(root, 'apps/api/dist/main.js')], {
        cwd: root,
        env: { PATH: process.env.PATH!, DATA_DIR: dataDir, PORT: String(port), WEB_DIST_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      server.stdout.on('data', (d: Buffer) => (log += d.toString()));
      server.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise((r) => server.once('exit', r));
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setInterval(() => log.includes('Guichet est prêt') && (clearInterval(timer), resolve()), 100);
          void exited.then(() => (clearInterval(timer), reject(new Error(`main.js exited:\n${log}`))));
        });
        const url = `http://127.0.0.1:${port}`;
        expect((await login(url, 'anne@ville-embarquee.fr', PASSWORD)).body.agent).toMatchObject({
          organization: { slug: 'ville-embarquee' },
        });
        expect((await login(url, 'admin@demo.guichet.fr', 'guichet-demo')).status).toBe(401);
        expect(log).not.toContain('Ville de Démo créée');
        expect(log).not.toContain('Première installation');
      } finally {
        server.kill('SIGINT');
        await exited;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
