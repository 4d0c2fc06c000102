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
