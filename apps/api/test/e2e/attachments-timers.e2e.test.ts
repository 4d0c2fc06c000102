import type { ConversationDto } from '@guichet/contracts';
import { connectRecording, expectEventually } from '@guichet/testing';
import type { PgBoss } from 'pg-boss' with { 'resolution-mode': 'import' };
import { ConversationTimers } from '../../src/modules/conversations/conversation-timers.service';
import { JobQueue } from '../../src/infra/jobs/job-queue';
import { seedTown, startTestApp, type TestApp } from '../harness';

describe('attachment downloads and conversation timers', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('serves an attachment as a download to agents who may read the file, 404 to others', async () => {
    const content = Buffer.from('Justificatif : facture EDF d’octobre');
    const r = await t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: 'pj-1',
        from: { kind: 'email', value: 'pj@example.fr' },
        text: 'Voici le justificatif',
        attachments: [{ fileName: 'facture EDF é.txt', contentType: 'text/plain', content }],
      },
      { teamId: town.etatCivil.id },
    );
    const messages = (await t.http('GET', `/api/v1/conversations/${r.conversationId}/messages`, { token: town.agentEC.token }))
      .body;
    const [att] = messages.items[0].attachments;
    expect(att).toMatchObject({ fileName: 'facture EDF é.txt', size: content.length });
    const res = await fetch(`${t.url}/api/v1/attachments/${att.id}`, {
      headers: { authorization: `Bearer ${town.agentEC.token}` },
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(content);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''facture%20EDF%20%C3%A9.txt");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await t.http('GET', `/api/v1/attachments/${att.id}`, { token: town.agentSco.token })).status).toBe(404);
    expect((await t.http('GET', `/api/v1/attachments/${att.id}`)).status).toBe(401);
  });

  it('reopens a snoozed conversation when its date comes, and pushes the change', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: 'snooze-1', from: { kind: 'email', value: 'pause@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    const c = (await t.http('GET', `/api/v1/conversations/${r.conversationId}`, { token: town.agentEC.token })).body;
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const snoozed = await t.http('PATCH', `/api/v1/conversations/${r.conversationId}`, {
      token: town.agentEC.token,
      body: { status: 'snoozed', snoozedUntil: until, version: c.version },
    });
    expect(snoozed.body.status).toBe('snoozed');
    const timers = t.app.get(ConversationTimers);
    expect(await timers.wakeSnoozed()).toBe(0);
    await t.db.query(`UPDATE conversation SET snoozed_until = now() - interval '1 second' WHERE id = $1`, [r.conversationId]);
    const ws = await connectRecording(t.url, town.agentEC.token);
    try {
      expect(await timers.wakeSnoozed()).toBe(1);
      await expectEventually(() => {
        const last = ws.of<ConversationDto>('conversation.updated').at(-1);
        expect(last).toMatchObject({
          id: r.conversationId,
          status: 'open',
          snoozedUntil: null,
          unread: true,
          version: snoozed.body.version + 1,
        });
      });
    } finally {
      ws.close();
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM pgboss.schedule WHERE name = 'conversation-timers'`);
    expect(rows[0].n).toBe(1);
  });

  it('runs the timers as their cron fires them (a job without data): a snoozed file whose date passed reopens', async () => {
    const r = await t.ingest.ingest(
      { channelId: town.webform.id, externalId: 'snooze-cron', from: { kind: 'email', value: 'cron@example.fr' }, text: 'x' },
      { teamId: town.etatCivil.id },
    );
    await t.db.query(`UPDATE conversation SET status = 'snoozed', snoozed_until = now() - interval '1 second' WHERE id = $1`, [
      r.conversationId,
    ]);
    // What pg-boss's cron sends each minute: the schedule's data, none here.
    const boss = (t.app.get(JobQueue) as unknown as { boss: PgBoss }).boss;
    const id = await boss.send('conversation-timers', null as unknown as object);
    await expectEventually(async () => {
      const { rows } = await t.db.query(`SELECT state FROM pgboss.job WHERE id = $1`, [id]);
      expect(rows[0]?.state).toBe('completed');
    });
    const { rows } = await t.db.query(`SELECT status FROM conversation WHERE id = $1`, [r.conversationId]);
    expect(rows[0].status).toBe('open');
  });
});
