import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSetCookie, type SetCookie } from 'cookie';
import { io } from 'socket.io-client';
import { ConfigError, loadConfig } from '../../src/config';
import { seedTown, startTestApp, type HttpResult, type TestApp } from '../harness';

/**
 * What the browser gets: security headers on every page and API answer, and the agent session
 * as an HttpOnly cookie whose unsafe requests need the CSRF token (bearer tokens unchanged).
 */
describe('browser security', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  const web = mkdtempSync(join(tmpdir(), 'guichet-web-'));
  const PASSWORD = 'mot-de-passe-test';

  const cookiesOf = (res: HttpResult): Record<string, SetCookie> =>
    Object.fromEntries(
      res.headers
        .getSetCookie()
        .map((h) => parseSetCookie(h))
        .map((c) => [c.name, c]),
    );

  /** A browser-like login: the cookies it sets, as a Cookie header, and the CSRF token a page script reads. */
  async function cookieLogin(t: TestApp, email: string, headers: Record<string, string> = {}) {
    const res = await t.http('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD }, headers });
    expect(res.status).toBe(200);
    const set = cookiesOf(res);
    return {
      res,
      set,
      cookie: `guichet_session=${set.guichet_session!.value}; guichet_csrf=${set.guichet_csrf!.value}`,
      csrf: set.guichet_csrf!.value!,
    };
  }

  const citizenWrites = () =>
    t.ingest.ingest(
      {
        channelId: town.webform.id,
        externalId: randomUUID(),
        from: { kind: 'email', value: `${randomUUID().slice(0, 8)}@example.fr` },
        text: 'Bonjour',
      },
      { teamId: town.etatCivil.id },
    );

  beforeAll(async () => {
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><html lang="fr"><head><script type="module" src="/assets/app.js"></script></head><body></body></html>',
    );
    t = await startTestApp({ webDistDir: web });
    town = await seedTown(t);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(web, { recursive: true, force: true });
  });

  describe('headers', () => {
    it('pages carry a CSP without inline script that forbids framing, with nosniff and Referrer-Policy same-origin', async () => {
      for (const path of ['/', `/demandes/${town.org.slug}`, '/suivi/GU-ABCDEF?token=x']) {
        const res = await fetch(`${t.url}${path}`);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        const csp = res.headers.get('content-security-policy') ?? '';
        const directives = Object.fromEntries(
          csp
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([k, ...v]) => [k, v.join(' ')]),
        );
        expect(directives['script-src']).toBe("'self'");
        expect(directives['script-src-attr']).toBe("'none'");
        expect(directives['object-src']).toBe("'none'");
        expect(directives['frame-ancestors']).toBe("'none'");
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('referrer-policy')).toBe('same-origin');
      }
    });

    it('lets the sites of FORM_FRAME_ANCESTORS embed the citizen form, and nothing else', async () => {
      const embedded = await startTestApp({
        webDistDir: web,
        formFrameAncestors: ['https://www.ville-exemple.fr', 'https://*.agglo-exemple.fr'],
      });
      try {
        const form = await fetch(`${embedded.url}/demandes/ville`);
        expect(form.headers.get('content-security-policy')).toContain(
          'frame-ancestors https://www.ville-exemple.fr https://*.agglo-exemple.fr',
        );
        expect(form.headers.get('x-frame-options')).toBeNull();
        for (const path of ['/', '/suivi/GU-ABCDEF', '/api/v1/health']) {
          const res = await fetch(`${embedded.url}${path}`);
          expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
          expect(res.headers.get('x-frame-options')).toBe('DENY');
        }
      } finally {
        await embedded.close();
      }
    });

    it('reads FORM_FRAME_ANCESTORS as origins and refuses anything else with a French reason', () => {
      const env = { DATABASE_URL: 'postgres://x/y', APP_SECRET: 'secret-0123456789abcdef', ENCRYPTION_KEY: 'a'.repeat(64) };
      expect(loadConfig(env).formFrameAncestors).toEqual([]);
      expect(loadConfig({ ...env, FORM_FRAME_ANCESTORS: 'https://www.ville.fr/ https://*.ville.fr' }).formFrameAncestors).toEqual(
        ['https://www.ville.fr', 'https://*.ville.fr'],
      );
      expect(() => loadConfig({ ...env, FORM_FRAME_ANCESTORS: "https://ok.fr 'unsafe-inline'" })).toThrow(ConfigError);
      expect(() => loadConfig({ ...env, FORM_FRAME_ANCESTORS: '*' })).toThrow(/FORM_FRAME_ANCESTORS : origine invalide \*/);
    });

    it('marks every API answer no-store, errors and public answers included', async () => {
      const { id } = await citizenWrites().then((r) => ({ id: r.conversationId }));
      const answers = [
        await t.http('GET', '/api/v1/conversations', { token: town.agentEC.token }),
        await t.http('GET', `/api/v1/conversations/${id}/messages`, { token: town.agentEC.token }),
        await t.http('GET', '/api/v1/auth/me', { token: town.agentEC.token }),
        await t.http('GET', '/api/v1/conversations'),
        await t.http('GET', `/api/v1/public/organizations/${town.org.slug}`),
        await t.http('GET', '/api/v1/health'),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 200, 200]);
      for (const a of answers) expect(a.headers.get('cache-control')).toBe('no-store');
    });
  });

  describe('cookie session', () => {
    it('login sets an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie; /auth/me answers from the cookie', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const { res, set, cookie } = await cookieLogin(t, agent.email);
      expect(set.guichet_session).toMatchObject({ value: res.body.token, httpOnly: true, sameSite: 'strict', path: '/' });
      expect(set.guichet_session!.secure).toBeFalsy(); // plain http and PUBLIC_URL http://guichet.test
      // Cookie dates have whole seconds.
      expect(set.guichet_session!.expires?.getTime()).toBe(Math.floor(Date.parse(res.body.expiresAt) / 1000) * 1000);
      expect(set.guichet_csrf).toMatchObject({ sameSite: 'strict', path: '/' });
      expect(set.guichet_csrf!.httpOnly).toBeFalsy();
      expect(set.guichet_csrf!.value).toMatch(/^[\w-]{43}$/);
      const me = await t.http('GET', '/api/v1/auth/me', { headers: { cookie } });
      expect(me).toMatchObject({ status: 200, body: { id: agent.id } });
    });

    it('refuses a cookie-authenticated change without its CSRF token with 403 and a French reason; with it, it goes through', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id, teamIds: [town.etatCivil.id] });
      const { cookie, csrf } = await cookieLogin(t, agent.email);
      const { conversationId } = await citizenWrites();
      const version = (await t.http('GET', `/api/v1/conversations/${conversationId}`, { headers: { cookie } })).body.version;
      const note = { kind: 'note', body: 'Pièce manquante', version };
      const path = `/api/v1/conversations/${conversationId}/messages`;

      const missing = await t.http('POST', path, { headers: { cookie }, body: note });
      const wrong = await t.http('POST', path, {
        headers: { cookie, 'x-guichet-csrf': csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
        body: note,
      });
      for (const refused of [missing, wrong]) {
        expect(refused.status).toBe(403);
        expect(refused.body.message).toMatch(
          /^requête refusée : le jeton anti-falsification .*X-Guichet-CSRF.* rechargez la page$/,
        );
      }
      expect(
        (
          await t.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1 AND kind = 'note'`, [
            conversationId,
          ])
        ).rows[0].n,
      ).toBe(0);

      expect((await t.http('POST', path, { headers: { cookie, 'x-guichet-csrf': csrf }, body: note })).status).toBe(201);
      // A bearer token needs no CSRF token: a browser never adds it by itself.
      expect((await t.http('POST', path, { token: agent.token, body: { ...note, version: version + 1 } })).status).toBe(201);
    });

    it('logs out with the CSRF token only, clears both cookies and ends the session', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id });
      const { cookie, csrf } = await cookieLogin(t, agent.email);
      expect((await t.http('POST', '/api/v1/auth/logout', { headers: { cookie } })).status).toBe(403);
      expect((await t.http('GET', '/api/v1/auth/me', { headers: { cookie } })).status).toBe(200);
      const out = await t.http('POST', '/api/v1/auth/logout', { headers: { cookie, 'x-guichet-csrf': csrf } });
      expect(out.status).toBe(204);
      const cleared = cookiesOf(out);
      for (const name of ['guichet_session', 'guichet_csrf']) {
        expect(cleared[name]!.value).toBe('');
        expect(cleared[name]!.expires!.getTime()).toBeLessThan(Date.now());
      }
      expect((await t.http('GET', '/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
    });

    it('ends the session a browser held when it logs in again', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id });
      const first = await cookieLogin(t, agent.email);
      const second = await cookieLogin(t, agent.email, { cookie: first.cookie });
      expect((await t.http('GET', '/api/v1/auth/me', { headers: { cookie: first.cookie } })).status).toBe(401);
      expect((await t.http('GET', '/api/v1/auth/me', { headers: { cookie: second.cookie } })).status).toBe(200);
    });

    it('makes a stale session cookie forget itself on the 401', async () => {
      const res = await t.http('GET', '/api/v1/auth/me', { headers: { cookie: 'guichet_session=perime; guichet_csrf=x' } });
      expect(res.status).toBe(401);
      expect(cookiesOf(res).guichet_session?.value).toBe('');
    });

    it('marks the cookies Secure over HTTPS (through the trusted proxy) or when PUBLIC_URL is https', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id });
      const proxied = await cookieLogin(t, agent.email, { 'x-forwarded-proto': 'https' });
      expect(proxied.set.guichet_session!.secure).toBe(true);
      expect(proxied.set.guichet_csrf!.secure).toBe(true);
      const https = await startTestApp({
        databaseUrl: t.config.databaseUrl,
        publicUrl: 'https://guichet.ville-exemple.fr',
        runJobs: false,
      });
      try {
        const direct = await cookieLogin(https, agent.email);
        expect(direct.set.guichet_session!.secure).toBe(true);
      } finally {
        await https.close();
      }
    });

    it('accepts a login only as JSON, so another site’s form cannot log a browser in', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id });
      const res = await fetch(`${t.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: agent.email, password: PASSWORD }),
      });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toBe('la connexion attend un corps JSON (Content-Type: application/json)');
      expect(res.headers.getSetCookie()).toEqual([]);
    });

    it('authenticates the socket handshake from the session cookie with its CSRF token, and refuses the cookie alone', async () => {
      const agent = await t.newAgent({ organizationId: town.org.id });
      const { cookie, csrf } = await cookieLogin(t, agent.email);
      const handshake = (auth: Record<string, string>) =>
        new Promise<string>((resolve) => {
          const s = io(t.url, { transports: ['websocket'], extraHeaders: { cookie }, auth, reconnection: false, forceNew: true });
          s.once('connect', () => {
            s.close();
            resolve('connected');
          });
          s.once('connect_error', (e) => {
            s.close();
            resolve(e.message);
          });
        });
      expect(await handshake({ csrf })).toBe('connected');
      expect(await handshake({})).toBe('unauthorized: jeton anti-falsification (CSRF) manquant ou invalide');
      expect(await handshake({ csrf: 'faux' })).toBe('unauthorized: jeton anti-falsification (CSRF) manquant ou invalide');
    });
  });
});
