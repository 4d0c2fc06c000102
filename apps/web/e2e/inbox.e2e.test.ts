import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';

/**
 * The built web app, served by the real API on a seeded demo town, driven in headless Chromium
 * as an agent would: log in, see the service's conversations, watch a citizen request arrive live.
 */
describe('agent inbox in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/web/dist is missing: `pnpm test` builds it first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a wrong password with a readable message', async () => {
    const { page } = browser;
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill('sophie.marchand@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('mauvais');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Adresse e-mail ou mot de passe incorrect.').waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'login-error.png') });
  });

  it('logs an agent in, lists the service’s seeded conversations, and shows a new request live', async () => {
    const { page } = browser;
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const rows = page.getByTestId('conversation-row');
    // Sophie Marchand is in État civil: the service view lists its conversations.
    const service = page
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /État civil/ })
      .first();
    await service.waitFor({ timeout: 10_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'after-login.png') });
      throw e;
    });
    await service.click();
    // The service view opens on its open conversations: as many rows as the database holds.
    const { rows: open } = await t.db.query(
      `SELECT count(*)::int AS n FROM conversation c JOIN team ON team.id = c.team_id WHERE team.name = 'État civil' AND c.status = 'open'`,
    );
    expect(open[0].n).toBeGreaterThan(0);
    await expectEventually(async () => expect(await rows.count()).toBe(open[0].n), { timeoutMs: 10_000 });
    await page.screenshot({ path: join(shots, 'inbox.png') });

    const org = (await t.http('GET', '/api/v1/public/organizations/demo')).body;
    const etatCivil = org.teams.find((x: { name: string }) => x.name === 'État civil');
    const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: etatCivil.id,
        name: 'Capucine Arnaud',
        email: 'capucine.arnaud@example.fr',
        subject: 'Livret de famille perdu',
        body: 'Bonjour, comment obtenir un duplicata ?',
      },
    });
    expect(created.status).toBe(201);
    await rows.first().getByText('Livret de famille perdu').waitFor({ timeout: 3000 });
    await page.screenshot({ path: join(shots, 'inbox-live.png') });

    await rows.first().click();
    await page.getByText('Bonjour, comment obtenir un duplicata ?').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'conversation.png') });
  });

  it('keeps the session in an HttpOnly cookie: no token in browser storage, none readable by scripts, still signed in after a reload', async () => {
    const { page, context } = browser;
    const cookies = await context.cookies(t.url);
    const session = cookies.find((c) => c.name === 'guichet_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session!.value.length).toBeGreaterThan(30);
    const seen = await page.evaluate(() => ({
      cookie: document.cookie,
      storage: JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }),
    }));
    expect(seen.cookie).not.toContain('guichet_session');
    expect(seen.cookie).not.toContain(session!.value);
    expect(seen.cookie).toMatch(/guichet_csrf=/);
    expect(seen.storage).not.toContain(session!.value);
    expect(seen.storage).not.toMatch(/token/i);

    // The page itself runs under a CSP without inline script.
    const reloaded = await page.reload();
    expect(reloaded!.headers()['content-security-policy']).toContain("script-src 'self';");
    // After the reload the session comes back from the cookie, and the socket with it.
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
    await page
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /État civil/ })
      .first()
      .click();
    const org = (await t.http('GET', '/api/v1/public/organizations/demo')).body;
    const etatCivil = org.teams.find((x: { name: string }) => x.name === 'État civil');
    await page.getByTestId('conversation-row').first().waitFor({ timeout: 10_000 });
    await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: etatCivil.id,
        name: 'Gaston Lemaire',
        email: 'gaston.lemaire@example.fr',
        subject: 'Recensement citoyen',
        body: 'Bonjour, mon fils a seize ans.',
      },
    });
    await page.getByTestId('conversation-row').filter({ hasText: 'Recensement citoyen' }).waitFor({ timeout: 5000 });

    // Signing out forgets the cookie: a reload shows the login page.
    await page.getByRole('button', { name: /^Compte/ }).click();
    await page.getByRole('button', { name: /Se déconnecter/ }).click();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor({ timeout: 5000 });
    await expectEventually(async () => expect((await context.cookies(t.url)).map((c) => c.name)).toEqual([]), {
      timeoutMs: 5000,
    });
    // A bearer token an earlier version left in localStorage is forgotten.
    await page.evaluate(() => localStorage.setItem('guichet.session', JSON.stringify({ token: 'ancien-jeton' })));
    await page.reload();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => localStorage.getItem('guichet.session'))).toBeNull();
  });

  it('goes back to the login page by itself when the session ends elsewhere (password changed in another session)', async () => {
    const { page } = browser;
    // Signed out by the test before: sign in again.
    await page.getByLabel('Adresse e-mail').fill('sophie.marchand@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 5000 });
    const other = await t.http('POST', '/api/v1/auth/login', {
      body: { email: 'sophie.marchand@demo.guichet.fr', password: 'guichet-demo' },
    });
    const changed = await t.http('POST', '/api/v1/auth/password', {
      token: other.body.token,
      body: { currentPassword: 'guichet-demo', newPassword: 'un mot de passe tout neuf' },
    });
    expect(changed.status).toBe(204);
    // No click, no reload: the server closes the socket and the app sees that the session is over.
    await page.getByLabel('Adresse e-mail').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(shots, 'session-ended.png') });
  });

  it('loads the English words when asked (they are not in the first download), and starts in English after a reload', async () => {
    const { page } = browser;
    const english = page.waitForResponse((r) => /\/assets\/en-[\w-]+\.js$/.test(r.url()));
    await page.getByRole('button', { name: 'English' }).click();
    expect((await english).status()).toBe(200);
    await page.getByRole('heading', { name: 'Sign in to Guichet' }).waitFor({ timeout: 5000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Guichet' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByLabel('Adresse e-mail').waitFor({ timeout: 5000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
  });
});
