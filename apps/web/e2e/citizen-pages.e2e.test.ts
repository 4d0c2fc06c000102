import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/**
 * The citizen pages in real Chromium on a phone-sized screen, served by the real API from the built
 * web app: their own small script and nothing of the agent app, the essential path with JavaScript
 * turned off, checks before sending, and a layout that holds at 200 % zoom.
 */
describe('citizen pages in Chromium on a phone', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  const PHONE = { width: 390, height: 844 };
  let t: TestApp;
  let pool: BrowserPool;

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  /** The citizen's part of the form, filled in. */
  async function fillRequest(page: Page, subject: string): Promise<void> {
    await page.getByLabel('Service concerné').selectOption({ label: 'État civil' });
    await page.getByLabel('Vos nom et prénom').fill('Mathilde Garnier');
    await page.getByLabel('Adresse e-mail').fill('mathilde.garnier@example.fr');
    await page.getByLabel('Objet de votre demande').fill(subject);
    await page.getByLabel('Votre message').fill('Bonjour, je voudrais un extrait d’acte de mariage.');
  }

  /** Requests the page sends to the server, by method and path. */
  function recordRequests(page: Page): string[] {
    const seen: string[] = [];
    page.on('request', (r) => seen.push(`${r.method()} ${new URL(r.url()).pathname}`));
    return seen;
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'citizen.html')))
      throw new Error('apps/web/dist/citizen.html is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('load one small script of their own, call no API and open no socket: nothing of the agent app', async () => {
    const page = await pool.newPage({ viewport: PHONE });
    const scripts: string[] = [];
    const sockets: string[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const requests = recordRequests(page);
    await page.goto(`${t.url}/demandes/demo`);
    await page.getByRole('heading', { name: 'Écrire à Ville de Démo' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/^\/assets\/citizen-[\w-]+\.js$/);
    const gzipped = gzipSync(readFileSync(join(dist, scripts[0]!)), { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(60_000);
    expect(sockets).toEqual([]);
    expect(requests.filter((r) => r.includes('/api/'))).toEqual([]);
    await page.context().close();
  });

  it('tells a missing field and a too big file before sending anything, the errors linked to their fields', async () => {
    const page = await pool.newPage({ viewport: PHONE });
    const requests = recordRequests(page);
    await page.goto(`${t.url}/demandes/demo`);
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    const summary = page.getByRole('alert');
    await summary.getByText('Le formulaire contient 5 erreurs :').waitFor({ timeout: 10_000 });
    for (const message of [
      'Choisissez le service concerné.',
      'Indiquez vos nom et prénom.',
      'Indiquez une adresse e-mail ou un numéro de téléphone.',
      "Indiquez l'objet de votre demande.",
      'Écrivez votre message.',
    ]) {
      await summary.getByRole('link', { name: message }).waitFor();
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('form-errors');
    expect(await page.getByLabel('Vos nom et prénom').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'form with errors');
    await page.screenshot({ path: join(shots, 'citizen-form-errors.png'), fullPage: true });

    // A corrected field loses its error at once.
    await page.getByLabel('Vos nom et prénom').fill('Mathilde Garnier');
    expect(await page.getByLabel('Vos nom et prénom').getAttribute('aria-invalid')).toBeNull();

    await fillRequest(page, 'Extrait d’acte de mariage');
    await page
      .getByLabel('Pièces jointes (facultatif)')
      .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(11 * 1024 * 1024, 1) });
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('alert').getByRole('link', { name: 'Un fichier dépasse 10 Mo.' }).waitFor();
    expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    await page.context().close();
  });

  it('sends a request and a reply with JavaScript turned off, and the tracking page shows the exchange', async () => {
    const page = await pool.newPage({ viewport: PHONE, javaScriptEnabled: false });
    await page.goto(`${t.url}/demandes/demo`);
    await fillRequest(page, 'Sans JavaScript');
    // The one rule the browser cannot check by itself: an e-mail address or a phone number.
    await page.getByLabel('Adresse e-mail').fill('');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('alert').getByRole('link', { name: 'Indiquez une adresse e-mail ou un numéro de téléphone.' }).waitFor();
    expect(await page.getByLabel('Objet de votre demande').inputValue()).toBe('Sans JavaScript');
    await page.getByLabel('Numéro de téléphone').fill('06 98 76 54 32');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();

    await page.getByRole('heading', { name: 'Votre demande est bien envoyée' }).waitFor();
    const reference = (await page.getByTestId('public-reference').textContent())!.trim();
    expect(reference).toMatch(/^GU-/);
    await page.getByTestId('tracking-link').click();
    await page.getByRole('heading', { name: 'Sans JavaScript' }).waitFor();
    await page.getByTestId('public-message').filter({ hasText: 'extrait d’acte de mariage' }).waitFor();

    await page.getByLabel('Répondre à la mairie').fill('Je peux aussi passer en mairie.');
    await page.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await page.getByTestId('public-message').filter({ hasText: 'Je peux aussi passer en mairie.' }).waitFor();
    await page.getByRole('status').getByText('Votre réponse est envoyée.').waitFor();
    await page.screenshot({ path: join(shots, 'citizen-tracking-no-js.png'), fullPage: true });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.reference = $1 AND m.direction = 'inbound'`,
      [reference],
    );
    expect(rows[0].n).toBe(2);
    await page.context().close();
  });

  it('shows a new message on an open tracking page without reloading', async () => {
    const created = await t.http('POST', '/api/v1/public/organizations/demo/requests', {
      body: {
        teamId: (
          await t.db.query(
            `SELECT t.id FROM team t JOIN organization o ON o.id = t.organization_id WHERE o.slug = 'demo' LIMIT 1`,
          )
        ).rows[0].id,
        name: 'Hugo Lambert',
        email: 'hugo.lambert@example.fr',
        subject: 'Suivi en direct',
        body: 'Premier message.',
      },
      headers: { 'x-forwarded-for': '10.9.0.1' },
    });
    expect(created.status).toBe(201);
    const page = await pool.newPage({ viewport: PHONE });
    await page.clock.install();
    await page.goto(`${t.url}/suivi/${created.body.reference}?token=${created.body.trackingToken}`);
    await page.getByTestId('public-message').filter({ hasText: 'Premier message.' }).waitFor();
    await page.getByLabel('Répondre à la mairie').fill('Un brouillon en cours');
    // Meanwhile, from another device.
    const other = await t.http('POST', `/api/v1/public/requests/${created.body.reference}?token=${created.body.trackingToken}`, {
      body: { body: 'Deuxième message, envoyé ailleurs.' },
      headers: { 'x-forwarded-for': '10.9.0.2' },
    });
    expect(other.status).toBe(201);
    await expectEventually(
      async () => {
        await page.clock.runFor(20_000);
        expect(await page.getByTestId('public-message').filter({ hasText: 'Deuxième message, envoyé ailleurs.' }).count()).toBe(
          1,
        );
      },
      { timeoutMs: 10_000 },
    );
    expect(await page.getByLabel('Répondre à la mairie').inputValue()).toBe('Un brouillon en cours');
    await page.context().close();
  });

  it('stays readable at 200 % zoom: nothing wider than the screen, every page axe-clean', async () => {
    // A 390 px wide phone at 200 % lays the page out in 195 CSS pixels.
    const page = await pool.newPage({ viewport: { width: PHONE.width / 2, height: PHONE.height / 2 } });
    const fitsTheScreen = async (screen: string) => {
      // Elements that reach past the right edge (a page wider than the screen scrolls sideways).
      const overflowing = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > width + 0.5)
          .map(
            (e) =>
              `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className} (right edge ${Math.round(e.getBoundingClientRect().right)} px of ${width})`,
          );
      });
      expect({ screen, overflowing }).toEqual({ screen, overflowing: [] });
      await expectAccessible(page, screen);
    };
    await page.goto(`${t.url}/demandes/demo`);
    await fitsTheScreen('request form');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('alert').waitFor();
    await fitsTheScreen('request form with errors');
    await fillRequest(page, 'Lecture agrandie');
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByTestId('public-reference').waitFor();
    await fitsTheScreen('request sent');
    await page.screenshot({ path: join(shots, 'citizen-sent-200-percent.png'), fullPage: true });
    await page.getByTestId('tracking-link').click();
    await page.getByTestId('public-message').first().waitFor();
    await fitsTheScreen('tracking page');
    await page.screenshot({ path: join(shots, 'citizen-tracking-200-percent.png'), fullPage: true });
    await page.goto(`${t.url}/suivi/GU-ZZZZZZ?token=faux`);
    await fitsTheScreen('request not found');
    await page.context().close();
  });
});
