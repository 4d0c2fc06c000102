import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/** Issue 13 in Chromium: a supervisor writes canned replies (réponses types); an agent inserts one filled for the file. */
describe('canned replies in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('lets a supervisor write one for a service with variables, previewed, and refuses an unknown variable', async () => {
    const page = await signInDemo(pool, t.url, 'superviseur@demo.guichet.fr');
    // At 1440 px the admin's header lays the language switch under the name (see acknowledgements.e2e): wider.
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.goto(`${t.url}/#/admin/reponses-types`);
    await page.getByRole('heading', { name: 'Réponses types', exact: true }).waitFor({ timeout: 10_000 });
    // Supervisors write them: no « read only » notice on this screen.
    expect(await page.getByText('Lecture seule').count()).toBe(0);

    await page.getByRole('button', { name: 'Nouvelle réponse type' }).click();
    const title = page.getByRole('textbox', { name: 'Titre' });
    await expectEventually(async () => expect(await title.evaluate((e) => e === document.activeElement)).toBe(true));
    await page.keyboard.type('Acte disponible en mairie');
    await page.getByLabel('Proposée dans').selectOption({ label: 'État civil' });
    const body = page.getByRole('textbox', { name: 'Texte' });
    await body.fill('Bonjour {{usager}},\n\nVotre acte (dossier {{nom_du_dossier}}) est prêt.');
    await page.getByText('variable inconnue : {{nom_du_dossier}}').waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    expect((await t.db.query(`SELECT count(*)::int AS n FROM canned_reply`)).rows[0].n).toBe(0);

    // The variable buttons insert at the caret.
    await body.fill('Bonjour {{usager}},\n\nVotre acte (dossier ) est prêt.\n{{agent}}, {{service}}');
    await body.evaluate((el: HTMLTextAreaElement) => {
      const at = el.value.indexOf('dossier ') + 'dossier '.length;
      el.focus();
      el.setSelectionRange(at, at);
    });
    await page
      .getByRole('group', { name: 'Insérer une variable' })
      .getByRole('button', { name: /^\{\{reference\}\}/ })
      .click();
    await expectEventually(async () =>
      expect(await body.inputValue()).toBe(
        'Bonjour {{usager}},\n\nVotre acte (dossier {{reference}}) est prêt.\n{{agent}}, {{service}}',
      ),
    );
    expect(await page.getByTestId('canned-preview').innerText()).toBe(
      'Bonjour Marie Dupont,\n\nVotre acte (dossier GU-7K3M9Q) est prêt.\nCamille Martin, Scolarité',
    );
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    const row = page.getByRole('row', { name: /Acte disponible en mairie/ });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.innerText()).toMatch(/État civil/);

    // One for the whole organization.
    await page.getByRole('button', { name: 'Nouvelle réponse type' }).click();
    await page.getByRole('textbox', { name: 'Titre' }).fill('Horaires d’ouverture');
    await page.getByRole('textbox', { name: 'Texte' }).fill('La mairie vous accueille du lundi au vendredi, de 8 h 30 à 17 h.');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('row', { name: /Horaires d’ouverture/ }).waitFor({ timeout: 10_000 });
    const { rows } = await t.db.query(
      `SELECT r.title, team.name AS team FROM canned_reply r LEFT JOIN team ON team.id = r.team_id ORDER BY r.title`,
    );
    expect(rows).toEqual([
      { title: 'Acte disponible en mairie', team: 'État civil' },
      { title: 'Horaires d’ouverture', team: null },
    ]);
    expect(await page.getByRole('row', { name: /Horaires d’ouverture/ }).innerText()).toMatch(/Toute l’organisation/);
    await expectAccessible(page, 'admin canned replies');
    await page.screenshot({ path: join(shots, 'admin-canned-replies.png'), fullPage: true });

    // Filtered by where they are offered: the organization's alone.
    await page.getByLabel('Afficher').selectOption({ label: 'Toute l’organisation' });
    await expectEventually(async () => expect(await page.getByRole('row', { name: /Acte disponible/ }).count()).toBe(0));
  });

  it('lets an agent insert one from the composer with « / » or Ctrl+/, filled for the file', async () => {
    const page = await signInDemo(pool, t.url, 'sophie.marchand@demo.guichet.fr');
    const { rows } = await t.db.query(
      `SELECT c.id, c.reference, ct.name AS citizen FROM conversation c
         JOIN agent a ON a.id = c.assignee_id JOIN team ON team.id = c.team_id JOIN contact ct ON ct.id = c.contact_id
        WHERE a.email = 'sophie.marchand@demo.guichet.fr' AND c.status = 'open' AND team.name = 'État civil'
          AND ct.name IS NOT NULL
        LIMIT 1`,
    );
    const file = rows[0];
    await page.goto(`${t.url}/#/conversations/${file.id}?view=mine&status=open`);
    const input = page.getByTestId('composer-input');
    await input.click();

    // « / » typed first in the empty message opens the search, not a slash.
    await page.keyboard.press('/');
    const picker = page.getByTestId('canned-picker');
    await picker.waitFor({ timeout: 5000 });
    const search = picker.getByRole('combobox', { name: 'Rechercher une réponse type' });
    await expectEventually(async () => expect(await search.evaluate((e) => e === document.activeElement)).toBe(true));
    const options = picker.getByRole('option');
    await expectEventually(async () => expect(await options.count()).toBe(2));
    // Accents and case ignored: « ACTE dispo » finds « Acte disponible en mairie ».
    await page.keyboard.type('ACTE dispo');
    await expectEventually(async () =>
      expect(await options.allInnerTexts()).toEqual([expect.stringMatching(/^Acte disponible/)]),
    );
    await expectAccessible(page, 'composer canned reply search');
    await page.screenshot({ path: join(shots, 'composer-canned-replies.png') });
    await page.keyboard.press('Enter');
    const filled = `Bonjour ${file.citizen},\n\nVotre acte (dossier ${file.reference}) est prêt.\nSophie Marchand, État civil`;
    await expectEventually(async () => expect(await input.inputValue()).toBe(filled), { timeoutMs: 5000 });
    expect(await picker.count()).toBe(0);
    await expectEventually(async () => expect(await focusedTestId(page)).toBe('composer-input'));

    // Ctrl+/ at the end: Escape closes and gives the message back untouched.
    await page.keyboard.press('Control+/');
    await picker.waitFor({ timeout: 5000 });
    await page.keyboard.press('Escape');
    await expectEventually(async () => expect(await picker.count()).toBe(0));
    await expectEventually(async () => expect(await focusedTestId(page)).toBe('composer-input'));
    expect(await input.inputValue()).toBe(filled);

    // Again, arrows to the organization's reply: inserted where the caret was.
    await page.keyboard.type('\n');
    await page.keyboard.press('Control+/');
    await picker.waitFor({ timeout: 5000 });
    await page.keyboard.type('horaires');
    await expectEventually(async () => expect(await options.count()).toBe(1));
    await page.keyboard.press('Enter');
    await expectEventually(async () =>
      expect(await input.inputValue()).toBe(`${filled}\nLa mairie vous accueille du lundi au vendredi, de 8 h 30 à 17 h.`),
    );
    // The screen reader hears it.
    await expectEventually(async () =>
      expect(await page.locator('[aria-live]').allInnerTexts()).toContain('Réponse type « Horaires d’ouverture » insérée.'),
    );
  });
});
