import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/**
 * Issue 21, item 1, in Chromium on the demo town: the search box finds a file wherever it is —
 * from « Mes conversations / Ouvertes », a resolved file of the agent's service, never another
 * service's — with the view and the status as filters the agent adds, and a reference typed
 * exactly opens the file.
 */
describe('inbox search in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let pool: BrowserPool;
  let page: Page;
  let mine: { id: string; reference: string };
  let elsewhere: { id: string; reference: string };

  async function expectAccessible(screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  async function search(text: string): Promise<void> {
    const box = page.getByRole('searchbox', { name: 'Rechercher dans les conversations' });
    await box.fill(text);
    await box.press('Enter');
  }

  const rows = () => page.getByTestId('conversation-row');

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    // One file of État civil (Sophie's service) resolved, one of Scolarité, both about the same thing.
    const pick = async (slug: string, subject: string, status: string) => {
      const { rows: found } = await t.db.query(
        `UPDATE conversation SET subject = $2, status = $3, assignee_id = NULL, version = version + 1
          WHERE id = (SELECT c.id FROM conversation c JOIN team tm ON tm.id = c.team_id WHERE tm.slug = $1
                       ORDER BY c.last_message_at DESC LIMIT 1)
          RETURNING id, reference`,
        [slug, subject, status],
      );
      return found[0] as { id: string; reference: string };
    };
    mine = await pick('etat-civil', 'Concession au cimetière Saint-Roch', 'resolved');
    elsewhere = await pick('scolarite', 'Sortie scolaire au cimetière militaire', 'open');
    pool = await launchBrowserPool();
    page = await pool.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill('sophie.marchand@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('finds a resolved file of the agent’s service from « Mes conversations / Ouvertes », accents ignored, never another service’s', async () => {
    await page.goto(`${t.url}/#/conversations?view=mine&status=open`);
    await search('cimetiere');
    await page.getByRole('heading', { name: 'Résultats pour « cimetiere »' }).waitFor({ timeout: 10_000 });
    await rows().filter({ hasText: 'Concession au cimetière Saint-Roch' }).waitFor({ timeout: 10_000 });
    expect(await rows().count()).toBe(1);
    expect(await rows().first().getAttribute('data-conversation-id')).toBe(mine.id);
    // Each row says its status: a search spans them all.
    await rows().first().locator('.status-pill', { hasText: 'Résolue' }).waitFor();
    expect(await page.getByTestId('search-total').textContent()).toBe('1 résultat');
    expect(await page.getByText('Sortie scolaire au cimetière militaire').count()).toBe(0);
    await expectAccessible('search everywhere');
    for (const [width, height] of [
      [1280, 720],
      [1366, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: join(shots, `search-everywhere-${width}x${height}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('narrows to the status or the view when the agent asks, with the keyboard', async () => {
    const onlyStatus = page.getByRole('checkbox', { name: 'Seulement « Ouvertes »' });
    await onlyStatus.focus();
    await page.keyboard.press('Space');
    await page.getByText('Aucune conversation ne correspond à cette recherche.').waitFor({ timeout: 10_000 });
    expect(page.url()).toContain('dansStatut=1');
    await expectAccessible('search narrowed to open');
    await page.screenshot({ path: join(shots, 'search-narrowed.png') });
    await onlyStatus.focus();
    await page.keyboard.press('Space');
    await rows().first().waitFor({ timeout: 10_000 });
    // « Mes conversations »: the resolved file is nobody's, so narrowing to the view hides it too.
    // The box follows the address (a hash change): clicked, then checked once the route says so,
    // which Playwright's check() does not wait for.
    const onlyView = page.getByRole('checkbox', { name: 'Seulement dans « Mes conversations »' });
    await onlyView.click();
    await page.getByText('Aucune conversation ne correspond à cette recherche.').waitFor({ timeout: 10_000 });
    expect(await onlyView.isChecked()).toBe(true);
    await onlyView.click();
    await rows().first().waitFor({ timeout: 10_000 });
    expect(await onlyView.isChecked()).toBe(false);
  });

  it('opens the file when its reference is typed exactly, and finds nothing for another service’s reference', async () => {
    await page.goto(`${t.url}/#/conversations?view=mine&status=open`);
    await search(mine.reference.toLowerCase().replace('-', ''));
    await expectEventually(async () => expect(page.url()).toContain(`/conversations/${mine.id}`), { timeoutMs: 10_000 });
    await page.getByRole('heading', { name: 'Concession au cimetière Saint-Roch' }).first().waitFor({ timeout: 10_000 });
    await expectAccessible('reference opened');
    await page.screenshot({ path: join(shots, 'search-reference-opened.png') });
    await search(elsewhere.reference);
    await page.getByText('Aucune conversation ne correspond à cette recherche.').waitFor({ timeout: 10_000 });
  });
});
