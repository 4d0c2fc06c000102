import { launchBrowserPool, startOidcServer, type BrowserPool, type OidcTestServer } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { seedTown, startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/** A port free now, for an app whose public URL (the OIDC redirect URI) must be known before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * ProConnect-style sign-in in real Chromium: the login page's button, the provider's own login
 * form on another site (localhost vs 127.0.0.1: the callback is a cross-site navigation, as with
 * the real ProConnect), back into the inbox with the session cookie; the sessions screen; my
 * account (name, password); the admins' provider settings; logout through the provider.
 */
describe('sign-in through ProConnect (an OIDC provider) in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let op: OidcTestServer;
  let pool: BrowserPool;
  let page: Page;

  async function expectAccessible(screen: string): Promise<void> {
    expect({ screen, violations: await seriousAxeViolations(page) }).toEqual({ screen, violations: [] });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    const port = await freePort();
    t = await startTestApp({ webDistDir: dist, port, publicUrl: `http://127.0.0.1:${port}` });
    town = await seedTown(t);
    op = await startOidcServer({ host: 'localhost' });
    const created = await t.http('POST', '/api/v1/oidc-providers', {
      token: town.admin.token,
      body: {
        kind: 'proconnect',
        // The admin's label names the provider in the administration; the button keeps ProConnect's text.
        label: 'ProConnect de la mairie',
        issuer: op.issuer,
        clientId: op.clientId,
        clientSecret: op.clientSecret,
      },
    });
    expect(created.status).toBe(201);
    op.register([created.body.redirectUri], [created.body.postLogoutRedirectUri]);
    op.accounts.set(town.admin.email, { email: town.admin.email, given_name: 'Alain', usual_name: 'Admin' });
    pool = await launchBrowserPool();
    page = await pool.newPage();
  });
  afterAll(async () => {
    await pool?.close();
    await op?.close();
    await t?.close();
  });

  it('signs in with the ProConnect button through the provider’s login form, by keyboard', async () => {
    await page.goto(t.url);
    const button = page.getByRole('link', { name: 'S’identifier avec ProConnect' });
    await button.waitFor({ timeout: 10_000 });
    const what = page.getByRole('link', { name: /Qu’est-ce que ProConnect/ });
    await what.waitFor();
    // ProConnect's button rules: the official text whatever the admin's label, the help link to
    // proconnect.gouv.fr in a new window that says so.
    expect(await button.innerText()).toMatch(/^S’identifier avec\s+ProConnect$/);
    expect(await what.getAttribute('href')).toBe('https://proconnect.gouv.fr/');
    expect(await what.getAttribute('target')).toBe('_blank');
    expect(await what.getAttribute('title')).toBe('Qu’est-ce que ProConnect ? - nouvelle fenêtre');
    // ProConnect's pictogram beside the words, a file of its own (not inlined in the first download's
    // stylesheet). Whether the browser lists it in its resource timing is not asked: a picture
    // reused from Chromium's memory cache is not listed, and that check failed 3 runs in 5 on 2 Dec.
    const pictogram = await button.evaluate((a) => getComputedStyle(a, '::before').backgroundImage);
    const pictogramUrl = /^url\("(.+)"\)$/.exec(pictogram)?.[1] ?? '';
    expect(pictogramUrl).toMatch(new RegExp(`^${t.url}/assets/proconnect-pictogram-[\\w-]+\\.svg$`));
    const svg = await fetch(pictogramUrl);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const drawing = await svg.text();
    expect(drawing).toContain('Copyright (c) 2020 GitHub user u/garronej');
    expect(drawing).toContain('fill="#FCC63A"');
    await expectAccessible('login with ProConnect');
    await page.screenshot({ path: join(shots, 'login-proconnect.png') });

    await button.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.origin === op.issuer, { timeout: 10_000 });
    await page.locator('input[name="login"]').fill(town.admin.email);
    await page.locator('input[name="password"]').fill('peu importe');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).origin).toBe(t.url);
    expect(new URL(page.url()).searchParams.get('connexion')).toBeNull();
  });

  it('lists my sessions, the ProConnect one marked current, and ends another by keyboard', async () => {
    // A second session of the same agent, elsewhere.
    await t.http('POST', '/api/v1/auth/login', {
      body: { email: town.admin.email, password: 'mot-de-passe-test' },
      headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/140.0' },
    });
    await page.getByRole('button', { name: /^Compte/ }).click();
    await page.getByRole('link', { name: 'Mes sessions' }).click();
    await page.getByRole('heading', { name: 'Mes sessions' }).waitFor();
    await page.getByText('Connexion par fournisseur d’identité (ProConnect de la mairie)').waitFor();
    await page.getByText('Cette session').waitFor();
    await expectAccessible('my sessions');
    await page.screenshot({ path: join(shots, 'my-sessions.png'), fullPage: true });
    const revoke = page.getByRole('button', { name: 'Déconnecter la session Firefox sous Windows' });
    await revoke.focus();
    await page.keyboard.press('Enter');
    await revoke.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('changes my own name and password from « Mon compte »; the other sessions end, this one stays', async () => {
    const elsewhere = await t.http('POST', '/api/v1/auth/login', {
      body: { email: town.admin.email, password: 'mot-de-passe-test' },
    });
    expect(elsewhere.status).toBe(200);
    await page.getByRole('button', { name: /^Compte/ }).click();
    await page.getByRole('link', { name: 'Mon compte' }).click();
    await page.getByRole('heading', { name: 'Mon compte', level: 1 }).waitFor();
    await page.getByText(`Vous vous connectez avec l’adresse ${town.admin.email}.`).waitFor();

    const name = page.getByLabel('Nom affiché');
    expect(await name.inputValue()).toBe('Alain Admin');
    await name.fill('Alain Administrateur');
    await name.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Nom enregistré.' }).waitFor();
    // The header reads the new name at once.
    await page
      .getByRole('button', { name: /^Compte/ })
      .getByText('Alain Administrateur')
      .waitFor();
    expect((await t.db.query(`SELECT name FROM agent WHERE id = $1`, [town.admin.id])).rows).toEqual([
      { name: 'Alain Administrateur' },
    ]);

    const submit = page.getByRole('button', { name: 'Changer le mot de passe' });
    await page.getByLabel('Mot de passe actuel').fill('mot-de-passe-test');
    await page.getByLabel('Nouveau mot de passe').fill('une phrase de passe neuve');
    await page.getByLabel('Confirmez le mot de passe').fill('une phrase de passe nouvelle');
    await submit.click();
    await page.getByText('Les deux mots de passe ne sont pas identiques.').waitFor();
    await page.getByLabel('Mot de passe actuel').fill('pas le bon');
    await page.getByLabel('Confirmez le mot de passe').fill('une phrase de passe neuve');
    await submit.click();
    await page.getByText('Mot de passe actuel incorrect').waitFor();
    await expectAccessible('my account with an error');
    await page.screenshot({ path: join(shots, 'my-account.png'), fullPage: true });

    await page.getByLabel('Mot de passe actuel').fill('mot-de-passe-test');
    await submit.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Mot de passe changé.' }).waitFor();
    expect(await page.getByLabel('Mot de passe actuel').inputValue()).toBe('');
    // The other session ended; this one stays; the new password signs in, the old one no longer.
    expect((await t.http('GET', '/api/v1/auth/me', { token: elsewhere.body.token })).status).toBe(401);
    expect(await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)).toBe(200);
    const login = (password: string) => t.http('POST', '/api/v1/auth/login', { body: { email: town.admin.email, password } });
    expect((await login('mot-de-passe-test')).status).toBe(401);
    expect((await login('une phrase de passe neuve')).status).toBe(200);
  });

  it('shows the admins’ provider settings with the redirect URI to register, the secret never shown', async () => {
    // A section of the administration (the header keeps only what every agent needs).
    await page.getByRole('link', { name: 'Administration' }).click();
    await page
      .getByRole('navigation', { name: 'Sections de l’administration' })
      .getByRole('link', { name: 'Connexion des agents' })
      .click();
    await page.getByRole('heading', { name: 'Connexion des agents', level: 2 }).waitFor();
    await page.getByText(`${t.url}/api/v1/auth/oidc/`).first().waitFor();
    await page.getByRole('button', { name: /Modifier/ }).click();
    await page.getByLabel('Secret client (client_secret)').waitFor();
    // ProConnect's issuers are offered, and the admin is told the level Guichet asks.
    await page.getByText(/Guichet demande le niveau eIDAS 1/).waitFor();
    expect(
      await page.locator('datalist option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)),
    ).toContain('https://auth.agentconnect.gouv.fr/api/v2');
    expect(await page.getByLabel('Secret client (client_secret)').inputValue()).toBe('');
    await page.getByText('Enregistré. Saisissez-en un nouveau pour le remplacer.').waitFor();
    // A bad issuer is refused with the API's French reason, nothing saved.
    await page.getByLabel('Adresse de l’émetteur (issuer)').fill('http://sso.exemple.fr');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText(/L’émetteur doit être en https/).waitFor();
    await expectAccessible('provider settings');
    await page.screenshot({ path: join(shots, 'oidc-provider-settings.png'), fullPage: true });
    await page.getByRole('button', { name: 'Annuler' }).click();
  });

  it('logs out through the provider (id_token_hint) and comes back to the login page', async () => {
    await page.getByRole('button', { name: /^Compte/ }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL((u) => u.origin === op.issuer, { timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe('/session/end');
    expect(new URL(page.url()).searchParams.get('id_token_hint')).toBeTruthy();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.origin === t.url, { timeout: 10_000 });
    await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).waitFor({ timeout: 10_000 });
    expect(op.errors).toEqual([]);
  });

  it('tells an unknown agent in French why the sign-in was refused', async () => {
    op.accounts.set('personne@ailleurs.fr', { email: 'personne@ailleurs.fr' });
    await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).click();
    await page.waitForURL((u) => u.origin === op.issuer, { timeout: 10_000 });
    await page.locator('input[name="login"]').fill('personne@ailleurs.fr');
    await page.locator('input[name="password"]').fill('x');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Aucun compte Guichet ne correspond à cette adresse' })
      .waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).search).toBe('');
    await expectAccessible('login refused');
    await page.screenshot({ path: join(shots, 'login-proconnect-refused.png') });
  });
});
