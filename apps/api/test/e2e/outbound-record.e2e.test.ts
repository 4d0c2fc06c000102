import { expectEventually, startTwilioServer, TcpPath, type TwilioServer } from '@guichet/testing';
import { citizenSms, seedTown, startCompiledInstance, startTestApp, type CompiledInstance, type TestApp } from '../harness';

const ACCOUNT = 'AC' + 'd'.repeat(32);
const TOKEN = 'auth-token-ville-0002';

/**
 * The soak hour's "reply sent twice": PostgreSQL restarted between Twilio accepting a reply and
 * Guichet writing that it did. The worker (instance A, the compiled API, its database through a
 * path the test cuts) must write the outcome once the database answers again, not fail the job,
 * which the queue would run again and send the SMS a second time.
 */
describe('a reply whose send was accepted while the database was away', () => {
  let b: TestApp;
  let a: CompiledInstance | undefined;
  let path: TcpPath;
  let twilio: TwilioServer;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    delete process.env.HTTP_PROXY;
    delete process.env.HTTPS_PROXY;
    twilio = await startTwilioServer();
    twilio.addAccount(ACCOUNT, TOKEN);
    // B writes (the agent's reply); only A runs jobs, hence sends.
    b = await startTestApp({ runJobs: false });
    town = await seedTown(b);
    const db = new URL(b.config.databaseUrl);
    path = await TcpPath.open(Number(db.port || 5432), db.hostname);
    db.hostname = '127.0.0.1';
    db.port = String(path.port);
    a = await startCompiledInstance(b, { DATABASE_URL: db.toString(), RUN_JOBS: '1' });
  });
  afterAll(async () => {
    await a?.kill();
    await path?.close();
    await b?.close();
    await twilio?.close();
  });

  it('is written as sent once PostgreSQL answers again, and sent only once', async () => {
    const channel = await b.newChannel({
      organizationId: town.org.id,
      teamId: town.etatCivil.id,
      kind: 'sms',
      config: { accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: twilio.url, phoneNumber: '+33700000009' },
    });
    const conversationId = await citizenSms(b, channel.id, 'Bonjour, où en est mon acte de naissance ?');
    const { version } = (await b.http('GET', `/api/v1/conversations/${conversationId}`, { token: town.agentEC.token })).body;

    // Twilio accepts the SMS; before its answer reaches Guichet, the database goes away for 1.5 s.
    let cutAt = 0;
    twilio.beforeAnswer(() => {
      twilio.beforeAnswer(null);
      path.cut();
      cutAt = Date.now();
      setTimeout(() => path.restore(), 1_500);
    });
    const text = 'Votre acte vous a été envoyé par courrier.';
    const res = await b.http('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: town.agentEC.token,
      body: { kind: 'reply', body: text, channelId: channel.id, version },
    });
    expect(res.status).toBe(201);

    // Its job ran once and completed (the outcome written): no retry is left to send it again.
    // (Jobs of other queues caught by the cut stay active until they expire: not waited for.)
    const job = async () =>
      (
        await b.db.query(`SELECT state, retry_count FROM pgboss.job WHERE name = 'outbound-send' AND data->>'messageId' = $1`, [
          res.body.id,
        ])
      ).rows;
    await expectEventually(async () => expect(await job()).toEqual([{ state: 'completed', retry_count: 0 }]), {
      timeoutMs: 30_000,
    });
    expect(cutAt).toBeGreaterThan(0);
    expect(twilio.creates().filter((r) => r.form.Body?.includes(text))).toHaveLength(1);
    const [stored] = [...twilio.messages.values()].filter((m) => m.body.includes(text));
    const { rows } = await b.db.query(`SELECT status, external_id, error FROM message WHERE id = $1`, [res.body.id]);
    expect(rows).toEqual([{ status: 'sent', external_id: stored!.sid, error: null }]);
  });
});
