import type { PgBoss } from 'pg-boss' with { 'resolution-mode': 'import' };
import { expectEventually } from '@guichet/testing';
import { JobQueue } from '../../src/infra/jobs/job-queue';
import { startTestApp, type TestApp } from '../harness';

/**
 * Every queue on a cron schedule runs as its cron fires it: pg-boss sends the schedule's data,
 * none, and a job that reads its data must not fail on it (every cron job of a running app once
 * did: « Cannot read properties of null »). Its handlers are tested elsewhere by calling them.
 */
describe('scheduled jobs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ seedDemo: true });
  });
  afterAll(() => t?.close());

  it('each scheduled queue, fired as its cron fires it on the demo town, completes', async () => {
    const { rows } = await t.db.query<{ name: string }>(`SELECT name FROM pgboss.schedule ORDER BY name`);
    const names = rows.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining(['conversation-timers', 'ingest-outbox-sweep', 'municipal-events-sweep', 'satisfaction-surveys']),
    );
    const boss = (t.app.get(JobQueue) as unknown as { boss: PgBoss }).boss;
    const jobs = new Map<string, string>();
    for (const name of names) jobs.set(name, (await boss.send(name, null as unknown as object))!);
    await expectEventually(
      async () => {
        const { rows: states } = await t.db.query<{ name: string; state: string }>(
          `SELECT name, state FROM pgboss.job WHERE id = ANY($1::uuid[]) ORDER BY name`,
          [[...jobs.values()]],
        );
        expect(states).toEqual(names.map((name) => ({ name, state: 'completed' })));
      },
      { timeoutMs: 60_000 },
    );
  });
});
