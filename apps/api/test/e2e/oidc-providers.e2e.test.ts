import { startTestApp, seedTown, type TestApp } from '../harness';

describe('OIDC provider settings (admins)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const body = {
    kind: 'oidc',
    label: 'Se connecter avec le Keycloak de la mairie',
    issuer: 'https://sso.mairie-exemple.fr/realms/agents/',
    clientId: 'guichet',
    clientSecret: 'le-secret-du-client-0123456789',
    allowedDomains: ['Mairie-Exemple.fr'],
  };

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('creates a provider with its secret sealed, never shown again nor written in the audit log', async () => {
    const res = await t.http('POST', '/api/v1/oidc-providers', { token: town.admin.token, body });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      kind: 'oidc',
      label: body.label,
      issuer: 'https://sso.mairie-exemple.fr/realms/agents',
      clientId: 'guichet',
      clientSecretSet: true,
      allowedDomains: ['mairie-exemple.fr'],
      scopes: 'openid email profile',
      signingAlg: 'RS256',
      signedUserinfo: false,
      enabled: true,
      redirectUri: `${t.config.publicUrl}/api/v1/auth/oidc/${res.body.id}/callback`,
      postLogoutRedirectUri: `${t.config.publicUrl}/`,
      updatedAt: expect.any(String),
    });
    const row = (await t.db.query(`SELECT client_secret_enc FROM oidc_provider WHERE id = $1`, [res.body.id])).rows[0];
    expect(row.client_secret_enc).toMatch(/^v1\./);
    expect(row.client_secret_enc).not.toContain(body.clientSecret);
    const audit = await t.db.query(`SELECT agent_id, data FROM audit_event WHERE action = 'oidc_provider.created'`);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].agent_id).toBe(town.admin.id);
    expect(JSON.stringify(audit.rows[0].data)).not.toContain(body.clientSecret);

    const list = await t.http('GET', '/api/v1/oidc-providers', { token: town.admin.token });
    expect(list.body.map((p: { id: string }) => p.id)).toEqual([res.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(body.clientSecret);
    // The login page lists it, with no secret.
    const buttons = await t.http('GET', '/api/v1/auth/oidc/providers');
    expect(buttons.body).toContainEqual({
      id: res.body.id,
      kind: 'oidc',
      label: body.label,
      organizationName: `Ville ${town.org.slug}`,
      startUrl: `/api/v1/auth/oidc/${res.body.id}/start`,
    });
  });

  it('changes only the fields sent, audits before and after, and hides a disabled provider from the login page', async () => {
    const created = (
      await t.http('POST', '/api/v1/oidc-providers', { token: town.admin.token, body: { ...body, kind: 'proconnect' } })
    ).body;
    expect(created).toMatchObject({ scopes: 'openid email given_name usual_name uid siret', signedUserinfo: true });
    const before = (await t.db.query(`SELECT client_secret_enc FROM oidc_provider WHERE id = $1`, [created.id])).rows[0];
    const res = await t.http('PATCH', `/api/v1/oidc-providers/${created.id}`, {
      token: town.admin.token,
      body: { enabled: false, label: 'ProConnect', clientSecret: 'un-autre-secret' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: false, label: 'ProConnect', clientId: 'guichet', issuer: created.issuer });
    const after = (await t.db.query(`SELECT client_secret_enc FROM oidc_provider WHERE id = $1`, [created.id])).rows[0];
    expect(after.client_secret_enc).not.toBe(before.client_secret_enc);
    const audit = (await t.db.query(`SELECT data FROM audit_event WHERE action = 'oidc_provider.updated'`)).rows[0].data;
    expect(audit).toMatchObject({
      before: { enabled: true },
      after: { enabled: false, label: 'ProConnect' },
      clientSecretReplaced: true,
    });
    expect(JSON.stringify(audit)).not.toContain('un-autre-secret');
    const buttons = await t.http('GET', '/api/v1/auth/oidc/providers');
    expect(buttons.body.map((b: { id: string }) => b.id)).not.toContain(created.id);
    // Its start link does not send anyone to the provider.
    const start = await fetch(`${t.url}/api/v1/auth/oidc/${created.id}/start`, { redirect: 'manual' });
    expect(start.headers.get('location')).toBe('/?connexion=fournisseur');

    expect((await t.http('DELETE', `/api/v1/oidc-providers/${created.id}`, { token: town.admin.token })).status).toBe(204);
    expect((await t.http('GET', `/api/v1/oidc-providers/${created.id}`, { token: town.admin.token })).status).toBe(404);
    expect(
      (await t.db.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'oidc_provider.deleted'`)).rows[0].n,
    ).toBe(1);
  });

  it('sends the browser back to the login page with a reason when the provider cannot be reached', async () => {
    const created = (
      await t.http('POST', '/api/v1/oidc-providers', {
        token: town.admin.token,
        body: { ...body, issuer: 'http://127.0.0.1:1/realms/agents' },
      })
    ).body;
    const start = await fetch(`${t.url}/api/v1/auth/oidc/${created.id}/start`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe('/?connexion=fournisseur');
    expect(start.headers.getSetCookie().join()).not.toContain('guichet_oidc_state=');
    await t.http('DELETE', `/api/v1/oidc-providers/${created.id}`, { token: town.admin.token });
  });

  it('refuses bad settings with French reasons and writes nothing', async () => {
    const count = await t.count('oidc_provider');
    const res = await t.http('POST', '/api/v1/oidc-providers', {
      token: town.admin.token,
      body: { ...body, issuer: 'http://sso.mairie-exemple.fr', allowedDomains: ['pas un domaine'], clientSecret: '' },
    });
    expect(res.status).toBe(400);
    expect(res.body.details.join('\n')).toContain('l’émetteur doit être en https');
    expect(res.body.details.join('\n')).toContain('domaine invalide');
    expect(res.body.details.join('\n')).toContain('secret client attendu');
    expect(await t.count('oidc_provider')).toBe(count);
    const empty = await t.http('PATCH', `/api/v1/oidc-providers/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, {
      token: town.admin.token,
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it('is for admins only, and each organization sees its own providers', async () => {
    for (const who of [town.agentEC, town.supervisor]) {
      expect((await t.http('GET', '/api/v1/oidc-providers', { token: who.token })).status).toBe(403);
      expect((await t.http('POST', '/api/v1/oidc-providers', { token: who.token, body })).status).toBe(403);
    }
    const other = await t.newOrganization();
    const otherAdmin = await t.newAgent({ organizationId: other.id, role: 'admin' });
    const mine = (await t.http('GET', '/api/v1/oidc-providers', { token: town.admin.token })).body;
    expect(mine.length).toBeGreaterThan(0);
    expect((await t.http('GET', '/api/v1/oidc-providers', { token: otherAdmin.token })).body).toEqual([]);
    expect((await t.http('GET', `/api/v1/oidc-providers/${mine[0].id}`, { token: otherAdmin.token })).status).toBe(404);
    expect(
      (await t.http('PATCH', `/api/v1/oidc-providers/${mine[0].id}`, { token: otherAdmin.token, body: { enabled: false } }))
        .status,
    ).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.http('GET', '/api/docs/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/oidc-providers',
        '/api/v1/oidc-providers/{id}',
        '/api/v1/auth/oidc/providers',
        '/api/v1/auth/sessions',
        '/api/v1/auth/sessions/{id}',
      ]),
    );
    expect(doc.paths['/api/v1/oidc-providers'].post.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'issuer',
    );
  });
});
