import { connectRecording, expectEventually } from '@guichet/testing';
import { startTestApp, seedTown, type TestApp } from '../harness';

describe('my sessions', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  const login = async (email: string, userAgent: string) =>
    (
      await t.http('POST', '/api/v1/auth/login', {
        body: { email, password: 'mot-de-passe-test' },
        headers: { 'user-agent': userAgent },
      })
    ).body.token as string;

  it('lists the agent’s own sessions with browser, address, creation and last use; the current one marked', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    const laptop = await login(agent.email, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    const phone = await login(agent.email, 'Mozilla/5.0 (iPhone) Safari/605.1');
    const res = await t.http('GET', '/api/v1/auth/sessions', { token: laptop });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(3); // the factory's session, and two logins
    const current = res.body.filter((s: { current: boolean }) => s.current);
    expect(current).toEqual([
      {
        id: expect.any(String),
        current: true,
        method: 'password',
        provider: null,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
        expiresAt: expect.any(String),
      },
    ]);
    expect(res.body.map((s: { userAgent: string }) => s.userAgent)).toContain('Mozilla/5.0 (iPhone) Safari/605.1');
    // Nobody else's sessions, and no token or token hash in the list.
    const other = await t.http('GET', '/api/v1/auth/sessions', { token: town.agentEC.token });
    expect(other.body.map((s: { id: string }) => s.id)).not.toEqual(expect.arrayContaining([current[0].id]));
    expect(JSON.stringify(res.body)).not.toContain(laptop);
    void phone;
  });

  it('keeps "last seen" current, written at most once a minute', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    await t.db.query(`UPDATE agent_session SET last_seen_at = now() - interval '1 hour' WHERE agent_id = $1`, [agent.id]);
    await t.http('GET', '/api/v1/auth/me', { token: agent.token });
    await expectEventually(async () => {
      const { rows } = await t.db.query(
        `SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM agent_session WHERE agent_id = $1`,
        [agent.id],
      );
      expect(rows[0].fresh).toBe(true);
    });
  });

  it('ends one session: its REST calls answer 401 and its socket closes; another agent cannot end it', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    const other = await login(agent.email, 'Autre navigateur');
    const client = await connectRecording(t.url, other);
    const list = (await t.http('GET', '/api/v1/auth/sessions', { token: agent.token })).body;
    const target = list.find((s: { userAgent: string | null }) => s.userAgent === 'Autre navigateur');
    expect((await t.http('DELETE', `/api/v1/auth/sessions/${target.id}`, { token: town.agentEC.token })).status).toBe(404);
    expect((await t.http('GET', '/api/v1/auth/me', { token: other })).status).toBe(200);

    expect((await t.http('DELETE', `/api/v1/auth/sessions/${target.id}`, { token: agent.token })).status).toBe(204);
    expect((await t.http('GET', '/api/v1/auth/me', { token: other })).status).toBe(401);
    expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(200);
    await expectEventually(() => expect(client.socket.connected).toBe(false));
    expect((await t.http('DELETE', `/api/v1/auth/sessions/${target.id}`, { token: agent.token })).status).toBe(404);
    const audit = await t.db.query(`SELECT data FROM audit_event WHERE agent_id = $1 AND action = 'session.revoked'`, [agent.id]);
    expect(audit.rows).toEqual([{ data: { sessions: 1, current: false } }]);
  });

  it('ends every other session and keeps this one', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    const a = await login(agent.email, 'A');
    const b = await login(agent.email, 'B');
    const res = await t.http('DELETE', '/api/v1/auth/sessions', { token: a });
    expect(res).toMatchObject({ status: 200, body: { ended: 2 } });
    expect((await t.http('GET', '/api/v1/auth/me', { token: b })).status).toBe(401);
    expect((await t.http('GET', '/api/v1/auth/me', { token: agent.token })).status).toBe(401);
    const left = (await t.http('GET', '/api/v1/auth/sessions', { token: a })).body;
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ current: true, userAgent: 'A' });
  });
});
