import { startTestApp, seedTown, type TestApp } from '../harness';

describe('authentication', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('answers /health once the database answers', async () => {
    const res = await t.http('GET', '/api/v1/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('logs in with the right password and returns a working bearer token', async () => {
    const res = await t.http('POST', '/api/v1/auth/login', {
      body: { email: town.agentEC.email.toUpperCase(), password: 'mot-de-passe-test' },
    });
    expect(res.status).toBe(200);
    expect(res.body.agent).toEqual({
      id: town.agentEC.id,
      name: 'Marie Dupont',
      email: town.agentEC.email,
      role: 'agent',
      capacity: 10,
      teamIds: [town.etatCivil.id],
      organization: { id: town.org.id, slug: town.org.slug, name: `Ville ${town.org.slug}` },
      platformAdmin: false,
    });
    const me = await t.http('GET', '/api/v1/auth/me', { token: res.body.token });
    expect(me.body.id).toBe(town.agentEC.id);
  });

  it('refuses a wrong password or an unknown account with the same 401', async () => {
    const wrong = await t.http('POST', '/api/v1/auth/login', { body: { email: town.agentEC.email, password: 'non' } });
    const unknown = await t.http('POST', '/api/v1/auth/login', { body: { email: 'personne@nulle.part', password: 'non' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('audits each password sign-in with the address and the new session, and each wrong password of an account, never the password', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    const audit = async () =>
      (
        await t.db.query(
          `SELECT organization_id, action, host(ip) AS ip, session_id, data FROM audit_event WHERE agent_id = $1 ORDER BY id`,
          [agent.id],
        )
      ).rows;
    const wrongPassword = 'pas-le-bon-mot-de-passe';
    // Behind the town's reverse proxy (loopback, trusted by default): the address it forwards.
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const wrong = await t.http('POST', '/api/v1/auth/login', {
      body: { email: agent.email, password: wrongPassword },
      headers: from('198.51.100.4'),
    });
    expect(wrong.status).toBe(401);
    const ok = await t.http('POST', '/api/v1/auth/login', {
      body: { email: agent.email, password: 'mot-de-passe-test' },
      headers: from('2001:db8::9'),
    });
    expect(ok.status).toBe(200);
    const sessions = await t.http('GET', '/api/v1/auth/sessions', { token: ok.body.token });
    const current = sessions.body.find((s: { current: boolean }) => s.current);
    expect(current.id).toMatch(/^[0-9a-f-]{36}$/);

    const rows = await audit();
    expect(rows).toEqual([
      {
        organization_id: town.org.id,
        action: 'agent.sign_in_failed',
        ip: '198.51.100.4',
        session_id: null,
        data: { method: 'password' },
      },
      {
        organization_id: town.org.id,
        action: 'agent.signed_in',
        ip: '2001:db8::9',
        session_id: current.id,
        data: { method: 'password' },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(wrongPassword);
    expect(JSON.stringify(rows)).not.toContain('mot-de-passe-test');
    expect(JSON.stringify(rows)).not.toContain(ok.body.token);

    // An address that is nobody's account belongs to no town's audit.
    const before = (await t.db.query(`SELECT max(id) AS id FROM audit_event`)).rows[0].id;
    const stranger = `inconnu-${agent.id.slice(0, 8)}@nulle.part`;
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email: stranger, password: 'non' } })).status).toBe(401);
    const { rows: after } = await t.db.query(`SELECT data FROM audit_event WHERE id > $1`, [before]);
    expect(JSON.stringify(after)).not.toContain(stranger);
  });

  it('rejects a malformed login body with 400 and the field at fault', async () => {
    const res = await t.http('POST', '/api/v1/auth/login', { body: { email: 'a@b.fr' } });
    expect(res.status).toBe(400);
    expect(res.body.details.join()).toContain('password');
    const broken = await t.http('POST', '/api/v1/auth/login', {
      body: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken).toMatchObject({ status: 400, body: { message: 'corps JSON invalide' } });
  });

  it('rate-limits repeated failures on one account with 429', async () => {
    const victim = await t.newAgent({ organizationId: town.org.id });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await t.http('POST', '/api/v1/auth/login', { body: { email: victim.email, password: 'faux' } })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('needs a session for every agent route, and ends it on logout', async () => {
    expect((await t.http('GET', '/api/v1/conversations')).status).toBe(401);
    expect((await t.http('GET', '/api/v1/conversations', { token: 'forged' })).status).toBe(401);
    const agent = await t.newAgent({ organizationId: town.org.id });
    expect((await t.http('GET', '/api/v1/teams', { token: agent.token })).status).toBe(200);
    expect((await t.http('POST', '/api/v1/auth/logout', { token: agent.token })).status).toBe(204);
    expect((await t.http('GET', '/api/v1/teams', { token: agent.token })).status).toBe(401);
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http('GET', '/api/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/conversations', '/api/v1/auth/login']));
  });
});
