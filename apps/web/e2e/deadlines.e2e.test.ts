import { expectEventually, launchBrowser, type LaunchedBrowser } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/** Issue 13 in Chromium: due-date views with live counts, the démarche set by an agent, the citizen's choice. */
describe('request types and due dates in Chromium', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  let t: TestApp;
  let browser: LaunchedBrowser;

  const overdueCount = async () =>
    (
      await t.db.query(
        `SELECT count(*)::int AS n FROM conversation c JOIN organization o ON o.id = c.organization_id
          WHERE o.slug = 'demo' AND c.status IN ('open', 'pending', 'snoozed') AND c.due_at < now()`,
      )
    ).rows[0].n as number;

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/web/dist is missing: `pnpm test` builds it first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    browser = await launchBrowser();
    // Two État civil files past their date, one due tomorrow morning.
    const { rows } = await t.db.query(
      `SELECT c.id FROM conversation c JOIN team ON team.id = c.team_id
        WHERE team.name = 'État civil' AND c.status = 'open' ORDER BY c.last_message_at DESC LIMIT 3`,
    );
    await t.db.query(`UPDATE conversation SET decision_due_at = now() - interval '2 days' WHERE id = $1`, [rows[0].id]);
    await t.db.query(`UPDATE conversation SET decision_due_at = now() - interval '3 hours' WHERE id = $1`, [rows[1].id]);
    await t.db.query(`UPDATE conversation SET decision_due_at = now() + interval '20 hours' WHERE id = $1`, [rows[2].id]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the overdue view earliest first with its count, and due dates on the rows', async () => {
    const { page } = browser;
    await page.goto(t.url);
    await page.getByLabel('Adresse e-mail').fill('superviseur@demo.guichet.fr');
    await page.getByLabel('Mot de passe').fill('guichet-demo');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const nav = page.getByRole('navigation', { name: 'Vues de la boîte de réception' });
    const overdue = nav.getByRole('link', { name: /^En retard/ });
    await overdue.waitFor({ timeout: 10_000 });
    const expected = await overdueCount();
    expect(expected).toBeGreaterThanOrEqual(2);
    await expectEventually(
      async () => expect(await overdue.getByTestId('nav-count').innerText()).toMatch(new RegExp(`^${expected}\\b`)),
      {
        timeoutMs: 10_000,
      },
    );
    await overdue.click();
    const rows = page.getByTestId('conversation-row');
    await expectEventually(async () => expect(await rows.count()).toBe(expected), { timeoutMs: 10_000 });
    const states = await page.getByTestId('row-due').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.dueState));
    expect(states.every((s) => s === 'overdue')).toBe(true);
    expect(await page.getByTestId('row-due').first().innerText()).toMatch(/^En retard · \d/);
    await page.screenshot({ path: join(shots, 'deadlines-overdue-view.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);

    const soon = nav.getByRole('link', { name: /^Échéance sous 48 h/ });
    await soon.click();
    // The overdue rows stay on screen until the view's own arrive: wait for those, not for any row.
    await expectEventually(
      async () => expect(await page.getByTestId('row-due').first().getAttribute('data-due-state')).toBe('soon'),
      { timeoutMs: 10_000 },
    );
    await page.screenshot({ path: join(shots, 'deadlines-due-soon-view.png') });
  });

  it('lets the agent set the démarche from the keyboard, which recomputes the dates', async () => {
    const { page } = browser;
    await page
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /^En retard/ })
      .click();
    const rows = page.getByTestId('conversation-row');
    await rows.first().click();
    const select = page.getByLabel('Démarche', { exact: true });
    await select.waitFor({ timeout: 10_000 });
    await select.focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await select.evaluate((el) => el === document.activeElement)).toBe(true);
    await select.selectOption({ label: 'Attestation d’accueil' });
    const dates = page.getByTestId('due-dates');
    await dates.getByText('Refus implicite le').waitFor({ timeout: 10_000 });
    await page.getByText('Démarche « Attestation d’accueil » : échéances recalculées.').first().waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(shots, 'deadlines-request-type-set.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Pièces demandées à l’usager' }).click();
    await dates.getByText('suspendus en attente des pièces (CRPA L114-5)').waitFor({ timeout: 10_000 });
    expect(await dates.getByText('Refus implicite le').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'deadlines-awaiting-documents.png') });
  });

  it('tells the agent beside a decision date on a day the town is closed that the date stays the legal one', async () => {
    const { page } = browser;
    // An overdue file whose legal date falls on one of the town's closing days (as the due-dates job stores it),
    // its decision date the one its row shows.
    const { rows } = await t.db.query(
      `UPDATE conversation SET decision_due_non_working = 'closure', response_due_at = NULL
        WHERE id = (SELECT c.id FROM conversation c JOIN organization o ON o.id = c.organization_id
                     WHERE o.slug = 'demo' AND c.status IN ('open', 'pending', 'snoozed') AND c.decision_due_at < now()
                     ORDER BY c.decision_due_at, c.id LIMIT 1)
        RETURNING id`,
    );
    expect(rows).toHaveLength(1);
    const why =
      'La mairie est fermée ce jour-là (fermeture exceptionnelle). La date ne change pas : c’est celle que fixe la loi. Décidez avant.';
    await page.goto(t.url);
    await page
      .getByRole('navigation', { name: 'Vues de la boîte de réception' })
      .getByRole('link', { name: /^En retard/ })
      .click();
    const row = page.locator(`[data-conversation-id="${rows[0].id}"]`);
    const badge = row.getByTestId('row-due');
    await badge.waitFor({ timeout: 10_000 });
    expect(await badge.innerText()).toMatch(/^En retard · .+ · mairie fermée ce jour-là$/);
    expect(await badge.getAttribute('title')).toBe(why);
    expect(await badge.getAttribute('data-non-working-day')).toBe('closure');
    // Narrow rows (the 400 px list beside a file, a phone): the badge whole, never cut by the row.
    for (const width of [1440, 1280, 390, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await expectEventually(
        async () =>
          expect(
            await badge.evaluate((el) => {
              const meta = el.parentElement!.getBoundingClientRect();
              const b = el.getBoundingClientRect();
              return [b.left >= meta.left, b.right <= meta.right + 0.5, el.scrollWidth <= el.clientWidth];
            }),
          ).toEqual([true, true, true]),
        { timeoutMs: 5000 },
      );
      await row.screenshot({ path: join(shots, `deadlines-closed-day-row-${width}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await row.focus();
    await page.keyboard.press('Enter');
    const note = page.getByTestId('decision-non-working-day');
    await note.waitFor({ timeout: 10_000 });
    expect(await note.innerText()).toBe(why);
    await page.screenshot({ path: join(shots, 'deadlines-decision-on-closed-day.png') });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('asks the citizen for the démarche among the chosen service’s ones, and keeps the choice', async () => {
    const { page } = browser;
    // Développement économique keeps its own hours (as its admin sets them): mornings, and Thursday afternoons.
    const morning = ['09:00', '12:00'];
    await t.db.query(
      `UPDATE team SET opening_hours = $1 WHERE name = 'Développement économique'
          AND organization_id = (SELECT id FROM organization WHERE slug = 'demo')`,
      [JSON.stringify({ 1: [morning], 2: [morning], 3: [morning], 4: [morning, ['14:00', '17:00']], 5: [morning] })],
    );
    await page.goto(`${t.url}/demandes/demo`);
    expect(await page.getByTestId('service-hours').allInnerTexts()).toEqual([
      'Du lundi au mercredi : 9 h – 12 h\nJeudi : 9 h – 12 h, 14 h – 17 h\nVendredi : 9 h – 12 h',
    ]);
    await page.getByLabel('Service concerné').selectOption({ label: 'Développement économique' });
    const type = page.getByLabel('Votre démarche');
    const offered = await type.evaluate((el) =>
      [...(el as HTMLSelectElement).querySelectorAll('optgroup')].filter((g) => !g.hidden).map((g) => g.label),
    );
    expect(offered).toEqual(['Développement économique']);
    await type.selectOption({ label: 'Autorisation d’occupation du domaine public (terrasse, étalage)' });
    await page.getByLabel('Vos nom et prénom').fill('Bastien Carré');
    await page.getByLabel('Adresse e-mail').fill('bastien.carre@example.fr');
    await page.getByLabel(/^Objet/).fill('Terrasse du Bistrot de la place');
    await page.getByLabel(/^Votre message/).fill('Bonjour, je souhaite installer une terrasse de 12 places.');
    await page.screenshot({ path: join(shots, 'deadlines-citizen-form.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /Envoyer/ }).click();
    await page.getByTestId('tracking-link').waitFor({ timeout: 10_000 });
    await page.getByTestId('tracking-link').click();
    // Its legal decision date (silence vaut rejet, two months) and the service's opening hours.
    await page.getByTestId('tracking-decision').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('tracking-decision').innerText()).toMatch(
      /^Refus implicite, sans réponse, le\s+\d{1,2}(er)? \p{L}+ \d{4}/u,
    );
    expect(await page.getByTestId('tracking-hours').innerText()).toContain('Jeudi : 9 h – 12 h, 14 h – 17 h');
    await page.screenshot({ path: join(shots, 'deadlines-citizen-tracking.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    const { rows } = await t.db.query(
      `SELECT rt.name, c.decision_regime, c.decision_due_at FROM conversation c JOIN request_type rt ON rt.id = c.request_type_id
        WHERE c.subject = 'Terrasse du Bistrot de la place'`,
    );
    expect(rows).toEqual([
      {
        name: 'Autorisation d’occupation du domaine public (terrasse, étalage)',
        decision_regime: 'rejection',
        decision_due_at: expect.any(Date),
      },
    ]);
  });
});
