import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/** `pnpm start` must survive a previous run killed with SIGKILL: its orphan postgres keeps the data dir and port. */
describe('embedded PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guichet-orphan-'));
  chmodSync(dir, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across restarts and takes over from an orphan left by a SIGKILLed run', async () => {
    const dataDir = join(dir, 'pg');
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
    const child = spawn(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
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
