import { startOidcServer, type OidcTestServer } from '@guichet/testing';
import { startTestApp, seedTown, type TestApp } from '../harness';

/**
 * Sign-in through an OpenID Connect provider against a real one (oidc-provider on a free port,
 * standing in for ProConnect): the app's own openid-client does discovery, the code exchange and
 * every check; the test plays the browser, cookies included, and spoils what an attacker would.
 */

/** A browser's cookies, per origin (enough here: the app and the provider have one each). */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  constructor(private readonly t: TestApp) {}

  /** The app's public URL (http://guichet.test) is served by the test app's real address. */
  private real(url: string): URL {
    const u = new URL(url, this.t.config.publicUrl);
    if (u.origin === this.t.config.publicUrl) return new URL(u.pathname + u.search, this.t.url);
    return u;
  }

  cookie(url: string, name: string): string | undefined {
    return this.jars.get(this.real(url).origin)?.get(name);
  }

  async request(method: string, url: string, body?: URLSearchParams, headers: Record<string, string> = {}): Promise<Response> {
    const target = this.real(url);
    const jar = this.jars.get(target.origin) ?? new Map<string, string>();
    this.jars.set(target.origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || !value) jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
    return res;
  }
}

interface Flow {
  /** The provider's authorization URL the app sent the browser to. */
  authorization: URL;
  /** The app's callback URL the provider sent the browser back to (with code, state, iss). */
  callback: URL;
  /** The app's answer to the callback: 303 to `/` or to `/?connexion=<reason>`. */
  landing: Response;
}

describe('sign-in through an OpenID Connect provider (ProConnect and the like)', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let op: OidcTestServer;
  let providerId: string;
  let proconnectUris: { redirectUri: string; postLogoutRedirectUri: string };

  /** Clicks the button, signs in at the provider's form as `login`, and follows back to the app. */
  async function signIn(
    browser: Browser,
    login: string,
    spoil: { authorization?: (u: URL) => void; callback?: (u: URL) => void; stopAtCallback?: boolean } = {},
    via = providerId,
  ): Promise<Flow> {
    const start = await browser.request('GET', `/api/v1/auth/oidc/${via}/start`);
    expect(start.status).toBe(303);
    const authorization = new URL(start.headers.get('location')!);
    spoil.authorization?.(authorization);
    let res = await browser.request('GET', authorization.href);
    let url = authorization.href;
    for (let hops = 0; hops < 10; hops++) {
      if (res.status === 200) {
        // The provider's login form: any password, the login picks the identity.
        const html = await res.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        expect(action).toBeDefined();
        url = new URL(action!, url).href;
        res = await browser.request('POST', url, new URLSearchParams({ prompt: 'login', login, password: 'x' }));
        continue;
      }
      expect([302, 303]).toContain(res.status);
      const next = new URL(res.headers.get('location')!, url);
      if (next.href.startsWith(`${t.config.publicUrl}/api/v1/auth/oidc/`)) {
        spoil.callback?.(next);
        if (spoil.stopAtCallback) return { authorization, callback: next, landing: new Response(null, { status: 204 }) };
        return { authorization, callback: next, landing: await browser.request('GET', next.href) };
      }
      url = next.href;
      res = await browser.request('GET', url);
    }
    throw new Error('too many redirects');
  }

  const refusal = (flow: Flow) => flow.landing.headers.get('location');

  async function me(browser: Browser) {
    const session = browser.cookie('/', 'guichet_session');
    return t.http('GET', '/api/v1/auth/me', session ? { headers: { cookie: `guichet_session=${session}` } } : {});
  }

  beforeAll(async () => {
    t = await startTestApp();
    town = await seedTown(t);
    op = await startOidcServer();
    const created = await t.http('POST', '/api/v1/oidc-providers', {
      token: town.admin.token,
      body: {
        kind: 'proconnect',
        label: 'S’identifier avec ProConnect',
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        allowedDomains: ['mairie-exemple.fr'],
      },
    });
    expect(created.status).toBe(201);
    providerId = created.body.id;
    proconnectUris = created.body;
    op.register([created.body.redirectUri], [created.body.postLogoutRedirectUri]);
    op.accounts.set(town.agentEC.email, { email: town.agentEC.email, given_name: 'Marie', usual_name: 'Dupont' });
  });
  afterAll(async () => {
    await op?.close();
    await t?.close();
  });
  afterEach(() => {
    op.tamper = 'none';
  });

  it('opens the same cookie session as a password login for an invited agent, after the code flow with PKCE', async () => {
    const browser = new Browser(t);
    const flow = await signIn(browser, town.agentEC.email);
    expect(refusal(flow)).toBe('/');

    // The authorization request: code flow, S256 PKCE, 32+ character state and nonce, the exact redirect URI,
    // ProConnect's eIDAS level and its amr claim request, nothing else (ProConnect refuses any other parameter).
    const q = flow.authorization.searchParams;
    expect([...q.keys()].sort()).toEqual(
      [
        'acr_values',
        'claims',
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'nonce',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ].sort(),
    );
    expect(q.get('acr_values')).toBe('eidas1');
    expect(JSON.parse(q.get('claims')!)).toEqual({ id_token: { amr: { essential: true } } });
    expect(op.claimsRequests.at(-1)).toEqual({ id_token: { amr: { essential: true } } });
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('redirect_uri')).toBe(`${t.config.publicUrl}/api/v1/auth/oidc/${providerId}/callback`);
    expect(q.get('scope')).toBe('openid email given_name usual_name uid siret');
    // The provider signed its userinfo (ProConnect does): the e-mail came from there, checked.
    expect(op.requests.some((r) => r.url === '/me')).toBe(true);

    const session = browser.cookie('/', 'guichet_session');
    const csrf = browser.cookie('/', 'guichet_csrf');
    expect(session).toBeTruthy();
    expect(csrf).toBeTruthy();
    const who = await me(browser);
    expect(who).toMatchObject({ status: 200, body: { id: town.agentEC.id, email: town.agentEC.email } });
    // Unsafe methods need the CSRF token, as after a password login.
    const noCsrf = await t.http('DELETE', '/api/v1/auth/sessions', { headers: { cookie: `guichet_session=${session}` } });
    expect(noCsrf.status).toBe(403);

    const sessions = await t.http('GET', '/api/v1/auth/sessions', { headers: { cookie: `guichet_session=${session}` } });
    const current = sessions.body.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({
      method: 'oidc',
      provider: 'S’identifier avec ProConnect',
      userAgent: expect.any(String),
      ip: expect.any(String),
    });
    const audit = await t.db.query(
      `SELECT data, session_id, ip IS NOT NULL AS has_ip FROM audit_event WHERE agent_id = $1 AND action = 'agent.signed_in'`,
      [town.agentEC.id],
    );
    // The level and methods the provider reported, from the signed id_token; the session it opened, and from where.
    expect(audit.rows).toContainEqual({
      data: { method: 'oidc', providerId, acr: 'eidas1', amr: ['pwd'] },
      session_id: current.id,
      has_ip: true,
    });
  });

  it('accepts a higher eIDAS level (eidas2 with two factors)', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    op.accounts.set(agent.email, { email: agent.email, acr: 'eidas2', amr: ['pwd', 'totp', 'mfa'] });
    expect(refusal(await signIn(new Browser(t), agent.email))).toBe('/');
    const audit = await t.db.query(`SELECT data FROM audit_event WHERE agent_id = $1 AND action = 'agent.signed_in'`, [agent.id]);
    expect(audit.rows.map((r) => r.data)).toEqual([{ method: 'oidc', providerId, acr: 'eidas2', amr: ['pwd', 'totp', 'mfa'] }]);
  });

  it.each([
    ['no acr at all', null],
    ['an acr that is not an eIDAS level', 'https://proconnect.gouv.fr/assurance/self-asserted'],
  ])('refuses an id_token with %s (ProConnect must say eidas1 or more), opening no session', async (_what, acr) => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    op.accounts.set(agent.email, { email: agent.email, acr });
    const sessions = `SELECT count(*)::int AS n FROM agent_session WHERE agent_id = $1`;
    const before = (await t.db.query(sessions, [agent.id])).rows[0].n;
    const browser = new Browser(t);
    expect(refusal(await signIn(browser, agent.email))).toBe('/?connexion=niveau');
    expect(browser.cookie('/', 'guichet_session')).toBeUndefined();
    expect((await t.db.query(sessions, [agent.id])).rows[0].n).toBe(before);
  });

  it('an invitee who signs in through the provider has taken the invitation: the admin no longer sees « invité »', async () => {
    const email = 'nouvelle.recrue@mairie-exemple.fr';
    const invited = await t.http('POST', '/api/v1/agents', {
      token: town.admin.token,
      body: { name: 'Nouvelle Recrue', email, role: 'agent', teamIds: [town.etatCivil.id], capacity: 10 },
    });
    expect(invited.status).toBe(201);
    const status = async () =>
      (
        (await t.http('GET', '/api/v1/agents/manage', { token: town.admin.token })).body as { email: string; invited: boolean }[]
      ).find((a) => a.email === email)?.invited;
    expect(await status()).toBe(true);
    op.accounts.set(email, { email, given_name: 'Nouvelle', usual_name: 'Recrue' });
    const flow = await signIn(new Browser(t), email);
    expect(refusal(flow)).toBe('/');
    expect(await status()).toBe(false);
    // Still no password that anyone knows.
    expect((await t.http('POST', '/api/v1/auth/login', { body: { email, password: '!invited' } })).status).toBe(401);
  });

  it('refuses a callback whose state is not the one this browser started with, and one without the state cookie', async () => {
    const other = 'A'.repeat(43);
    const wrong = await signIn(new Browser(t), town.agentEC.email, { callback: (u) => u.searchParams.set('state', other) });
    expect(refusal(wrong)).toBe('/?connexion=etat');
    expect(wrong.landing.headers.getSetCookie().join()).not.toContain('guichet_session=');

    // An attacker's own code and state pushed into a browser that started no sign-in (login CSRF):
    // the attacker's browser never follows its callback, the victim's has no state cookie.
    const attacker = await signIn(new Browser(t), town.agentEC.email, { stopAtCallback: true });
    const victim = new Browser(t);
    const pushed = await victim.request('GET', attacker.callback.href);
    expect(pushed.headers.get('location')).toBe('/?connexion=etat');
    expect(victim.cookie('/', 'guichet_session')).toBeUndefined();
  });

  it('refuses a replayed callback, and a code replayed with a fresh state (the provider refuses it too)', async () => {
    const browser = new Browser(t);
    const flow = await signIn(browser, town.agentEC.email);
    expect(refusal(flow)).toBe('/');
    const again = await browser.request('GET', flow.callback.href);
    expect(again.headers.get('location')).toBe('/?connexion=etat');

    const errorsBefore = op.errors.length;
    const replay = await signIn(new Browser(t), town.agentEC.email, {
      callback: (u) => u.searchParams.set('code', flow.callback.searchParams.get('code')!),
    });
    expect(refusal(replay)).toBe('/?connexion=jeton');
    expect(op.errors.slice(errorsBefore).map((e) => e.error)).toContain('invalid_grant');
  });

  it('refuses an id_token whose nonce is not the one sent', async () => {
    const flow = await signIn(new Browser(t), town.agentEC.email, {
      authorization: (u) => u.searchParams.set('nonce', 'n'.repeat(43)),
    });
    expect(refusal(flow)).toBe('/?connexion=jeton');
  });

  it.each([
    ['an unsigned id_token (alg none)', 'unsigned-id-token'],
    ['an id_token signed by a key the provider does not publish', 'foreign-id-token-signature'],
    ['a userinfo signed by a key the provider does not publish', 'foreign-userinfo-signature'],
  ] as const)('refuses %s', async (_what, tamper) => {
    op.tamper = tamper;
    const browser = new Browser(t);
    const flow = await signIn(browser, town.agentEC.email);
    expect(refusal(flow)).toBe('/?connexion=jeton');
    expect(browser.cookie('/', 'guichet_session')).toBeUndefined();
  });

  it('refuses an address that has no account and whose domain is not allowed, creating nothing', async () => {
    op.accounts.set('inconnu@ailleurs.fr', { email: 'inconnu@ailleurs.fr' });
    const agentsBefore = await t.count('agent');
    const flow = await signIn(new Browser(t), 'inconnu@ailleurs.fr');
    expect(refusal(flow)).toBe('/?connexion=inconnu');
    expect(await t.count('agent')).toBe(agentsBefore);
  });

  it('refuses an agent of another organization with the same address', async () => {
    const elsewhere = await t.newOrganization();
    const stranger = await t.newAgent({ organizationId: elsewhere.id });
    op.accounts.set(stranger.email, { email: stranger.email });
    expect(refusal(await signIn(new Browser(t), stranger.email))).toBe('/?connexion=inconnu');
  });

  it('opens an account at first sign-in for an address of a domain the admin allowed', async () => {
    op.accounts.set('jeanne.martin@mairie-exemple.fr', {
      email: 'Jeanne.Martin@Mairie-Exemple.fr',
      given_name: 'Jeanne',
      usual_name: 'Martin',
    });
    const browser = new Browser(t);
    const flow = await signIn(browser, 'jeanne.martin@mairie-exemple.fr');
    expect(refusal(flow)).toBe('/');
    const who = await me(browser);
    expect(who.body).toMatchObject({
      email: 'jeanne.martin@mairie-exemple.fr',
      name: 'Jeanne Martin',
      role: 'agent',
      teamIds: [],
      organization: { id: town.org.id },
    });
    const audit = await t.db.query(`SELECT agent_id, data FROM audit_event WHERE action = 'agent.created_at_sign_in'`);
    expect(audit.rows).toEqual([
      { agent_id: who.body.id, data: expect.objectContaining({ providerId, domain: 'mairie-exemple.fr' }) },
    ]);
    // The account has no password that anyone knows.
    const login = await t.http('POST', '/api/v1/auth/login', {
      body: { email: 'jeanne.martin@mairie-exemple.fr', password: 'x' },
    });
    expect(login.status).toBe(401);
    // A second sign-in finds the same account.
    expect(refusal(await signIn(new Browser(t), 'jeanne.martin@mairie-exemple.fr'))).toBe('/');
    expect(
      (await t.db.query(`SELECT count(*)::int AS n FROM agent WHERE email = 'jeanne.martin@mairie-exemple.fr'`)).rows[0].n,
    ).toBe(1);
  });

  it('refuses a deactivated agent', async () => {
    const gone = await t.newAgent({ organizationId: town.org.id });
    await t.db.query(`UPDATE agent SET active = false WHERE id = $1`, [gone.id]);
    op.accounts.set(gone.email, { email: gone.email });
    const browser = new Browser(t);
    expect(refusal(await signIn(browser, gone.email))).toBe('/?connexion=desactive');
    expect(browser.cookie('/', 'guichet_session')).toBeUndefined();
  });

  it('refuses every sign-in through the provider of a town the platform archived, and hides its button', async () => {
    const browser = new Browser(t);
    const flow = await signIn(browser, town.agentEC.email, { stopAtCallback: true });
    await t.db.query(`UPDATE organization SET archived_at = now() WHERE id = $1`, [town.org.id]);
    try {
      // Archived while the agent was at the provider: the way back opens no session.
      const landing = await browser.request('GET', flow.callback.href);
      expect(landing.headers.get('location')).toBe('/?connexion=archivee');
      expect(browser.cookie('/', 'guichet_session')).toBeUndefined();
      const start = await new Browser(t).request('GET', `/api/v1/auth/oidc/${providerId}/start`);
      expect(start.headers.get('location')).toBe('/?connexion=archivee');
      const buttons = await t.http('GET', '/api/v1/auth/oidc/providers');
      expect(buttons.body.map((p: { id: string }) => p.id)).not.toContain(providerId);
    } finally {
      await t.db.query(`UPDATE organization SET archived_at = NULL WHERE id = $1`, [town.org.id]);
    }
  });

  it('refuses an identity whose e-mail address the provider says is not verified', async () => {
    op.accounts.set('douteux@mairie-exemple.fr', { email: 'douteux@mairie-exemple.fr', email_verified: false });
    expect(refusal(await signIn(new Browser(t), 'douteux@mairie-exemple.fr'))).toBe('/?connexion=email');
  });

  it('logs out at the provider too, with the id_token as id_token_hint', async () => {
    const browser = new Browser(t);
    expect(refusal(await signIn(browser, town.agentEC.email))).toBe('/');
    const session = browser.cookie('/', 'guichet_session')!;
    const stored: string = (
      await t.db.query(`SELECT id_token FROM agent_session WHERE id_token IS NOT NULL ORDER BY created_at DESC LIMIT 1`)
    ).rows[0].id_token;
    // Sealed at rest (AES-GCM): the identity claims are not readable from a database dump.
    expect(stored).toMatch(/^v1\./);

    const out = await browser.request('POST', '/api/v1/auth/logout', undefined, {
      'x-guichet-csrf': browser.cookie('/', 'guichet_csrf')!,
    });
    expect(out.status).toBe(200);
    const { endSessionUrl } = (await out.json()) as { endSessionUrl: string };
    const end = new URL(endSessionUrl);
    expect(end.origin + end.pathname).toBe(`${op.issuer}/session/end`);
    const hint = end.searchParams.get('id_token_hint')!;
    expect(stored).not.toContain(hint.split('.')[1]);
    const claims = JSON.parse(Buffer.from(hint.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: op.issuer, aud: op.clientId });
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${t.config.publicUrl}/`);
    expect(browser.cookie('/', 'guichet_session')).toBeUndefined();
    expect((await t.http('GET', '/api/v1/auth/me', { headers: { cookie: `guichet_session=${session}` } })).status).toBe(401);

    // The provider accepts the hint and, once confirmed, sends the browser back to the app.
    const errorsBefore = op.errors.length;
    const page = await browser.request('GET', endSessionUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!, op.issuer);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const confirmed = await browser.request('POST', action.href, new URLSearchParams({ xsrf, logout: 'yes' }));
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toMatch(new RegExp(`^${t.config.publicUrl}/(\\?|$)`));
    expect(op.errors.slice(errorsBefore)).toEqual([]);
  });

  it('keeps 204 for the logout of a password session (nothing to end at a provider)', async () => {
    const agent = await t.newAgent({ organizationId: town.org.id });
    expect((await t.http('POST', '/api/v1/auth/logout', { token: agent.token })).status).toBe(204);
  });
  it('asks a plain OpenID Connect provider (not ProConnect) for no eIDAS level: no acr_values, no claims request, no acr check', async () => {
    const plain = await t.http('POST', '/api/v1/oidc-providers', {
      token: town.admin.token,
      body: {
        kind: 'oidc',
        label: 'Se connecter avec le Keycloak de la mairie',
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
        allowedDomains: [],
      },
    });
    expect(plain.status).toBe(201);
    // The test provider knows one client: both redirect addresses are now registered with it.
    op.register(
      [proconnectUris.redirectUri, plain.body.redirectUri],
      [proconnectUris.postLogoutRedirectUri, plain.body.postLogoutRedirectUri],
    );
    const agent = await t.newAgent({ organizationId: town.org.id });
    // No acr in its id_token: ProConnect's sign-in refuses that, a plain provider's does not look.
    op.accounts.set(agent.email, { email: agent.email, acr: null });
    const browser = new Browser(t);
    const flow = await signIn(browser, agent.email, {}, plain.body.id);
    const q = flow.authorization.searchParams;
    expect(q.has('acr_values')).toBe(false);
    expect(q.has('claims')).toBe(false);
    expect([...q.keys()].sort()).toEqual(
      ['client_id', 'code_challenge', 'code_challenge_method', 'nonce', 'redirect_uri', 'response_type', 'scope', 'state'].sort(),
    );
    expect(refusal(flow)).toBe('/');
    expect(await me(browser)).toMatchObject({ status: 200, body: { id: agent.id } });
  });
});
