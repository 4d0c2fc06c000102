import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { setupToken } from '../../api/src/modules/organizations/setup.service';
import { seriousAxeViolations } from './axe';

/**
 * A section link of the administration's own navigation (the header also links « Connexion des
 * agents », whose name contains « Agents »).
 */
const adminSection = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Sections de l’administration' }).getByRole('link', { name });

/**
 * A town put into service from an empty database, in real Chromium: the first-run page (with
 * the setup token of the server's log), the administration screens, an invitation whose mail
 * (kept for the admin, no SMTP server set) gives the agent a link to choose a password, and the
 * agent's first login. Every screen passes axe-core without serious or critical issues.
 */

describe('first run in Chromium: empty database to an invited agent signed in', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let admin: Page;
  let agent: Page;
  const PASSWORD = 'la-mairie-ouvre-a-8h30';

  async function checkScreen(page: Page, name: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen: name, violations }).toEqual({ screen: name, violations: [] });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  async function login(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist });
    pool = await launchBrowserPool();
    [admin, agent] = await Promise.all([pool.newPage(), pool.newPage()]);
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('the first-run page creates the town and its admin, who then signs in', async () => {
    await admin.goto(t.url);
    await admin.getByRole('heading', { name: 'Première installation de Guichet' }).waitFor({ timeout: 15_000 });
    await checkScreen(admin, 'first-run-setup');

    await admin.getByLabel('Jeton d’installation').fill('pas-le-bon');
    // Required fields' labels end with an asterisk hidden from assistive technology: found by accessible name.
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Ville de Bourg-Essai');
    expect(await admin.getByLabel('Identifiant').inputValue()).toBe('ville-de-bourg-essai');
    await admin.getByLabel('Nom et prénom').fill('Paule Première');
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('paule@bourg-essai.fr');
    await admin.getByLabel('Mot de passe').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Créer la commune' }).click();
    await admin.getByText('Jeton d’installation incorrect').waitFor();
    await checkScreen(admin, 'first-run-setup-error');

    await admin.getByLabel('Jeton d’installation').fill(setupToken(t.config));
    await admin.getByRole('button', { name: 'Créer la commune' }).click();
    await admin.getByRole('heading', { name: 'La commune est prête' }).waitFor();
    await admin.getByRole('button', { name: 'Aller à la connexion' }).click();
    await login(admin, 'paule@bourg-essai.fr', PASSWORD);
  });

  it('the admin sets the organization, creates a service and invites an agent', async () => {
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin.getByRole('heading', { name: 'Organisation', level: 2 }).waitFor();
    await admin.getByLabel('Lundi').fill('08:30-12:00, 13:30-17:00');
    await admin.getByLabel('Signature par défaut').fill('L’accueil de la mairie');
    await admin.getByRole('button', { name: 'Enregistrer' }).click();
    await admin.getByText('Modifications enregistrées.').waitFor();
    await admin.getByText('Jours fériés calculés').click();
    await checkScreen(admin, 'admin-organization');

    await adminSection(admin, 'Services').click();
    await admin.getByLabel('Nom du nouveau service').fill('Urbanisme');
    await admin.getByRole('button', { name: 'Créer le service' }).click();
    await admin.getByRole('rowheader', { name: 'Urbanisme' }).waitFor();
    await checkScreen(admin, 'admin-services');

    await adminSection(admin, 'Agents').click();
    await admin.getByRole('textbox', { name: 'Nom', exact: true }).fill('Nina Nouvelle');
    await admin.getByRole('textbox', { name: 'Adresse e-mail', exact: true }).fill('nina@bourg-essai.fr');
    await admin.getByLabel('Urbanisme').check();
    await admin.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await admin.getByText('Invitation envoyée à nina@bourg-essai.fr.').waitFor();
    await admin.getByRole('cell', { name: 'Invitation envoyée' }).waitFor();
    await checkScreen(admin, 'admin-agents');
  });

  it('the agent chooses a password from the mail and signs in', async () => {
    await adminSection(admin, 'Courriels').click();
    const summary = admin.getByText(/nina@bourg-essai\.fr — Invitation à Guichet/);
    await summary.click();
    const text = await admin.locator('.admin-mail-text').first().innerText();
    await checkScreen(admin, 'admin-mails');
    const link = /https?:\/\/\S+#\/mot-de-passe\?jeton=[\w-]+/.exec(text)![0];
    // The mail's link points at the public address; the browser opens it on the test server.
    await agent.goto(`${t.url}/${link.slice(link.indexOf('#'))}`);
    await agent.getByRole('heading', { name: 'Choisir votre mot de passe' }).waitFor({ timeout: 15_000 });
    await agent.getByLabel('Nouveau mot de passe').fill('azertyuiop');
    await agent.getByLabel('Confirmez le mot de passe').fill('azertyuiop');
    await agent.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await agent.getByText('Ce mot de passe est trop courant').waitFor();
    await checkScreen(agent, 'password-choose-error');
    await agent.getByLabel('Nouveau mot de passe').fill('nina-aime-les-permis-2026');
    await agent.getByLabel('Confirmez le mot de passe').fill('nina-aime-les-permis-2026');
    await agent.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await agent.getByRole('heading', { name: 'Mot de passe enregistré' }).waitFor();
    await agent.getByRole('button', { name: 'Aller à la connexion' }).click();
    await login(agent, 'nina@bourg-essai.fr', 'nina-aime-les-permis-2026');
    await agent
      .getByRole('link', { name: /Urbanisme/ })
      .first()
      .waitFor();
    await checkScreen(agent, 'agent-first-login');
  });
});
