import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { seriousAxeViolations } from './axe';

/**
 * Issue 17, the citizen's way through the event pages in real Chromium on a phone, served by the
 * real API from the built web app on the demo town: the list → the summer camp (37 of 40 places
 * taken) → a registration → the link of the confirmation message → cancelling; then the camp full,
 * a registration lands on the waiting list with its position. Every screen is checked with axe.
 */
describe('citizen event pages in Chromium on a phone', () => {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  const PHONE = { width: 390, height: 844 };
  const CAMP = 'Ouverture des inscriptions au stage d’été multisports';
  let t: TestApp;
  let pool: BrowserPool;

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const violations = await seriousAxeViolations(page);
    expect({ screen, violations }).toEqual({ screen, violations: [] });
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `events-${name}.png`), fullPage: true });
  }

  /** The message the town sent to `email` about a registration: its link to the registration page. */
  async function confirmationLink(email: string, words: string): Promise<string> {
    const body = await expectEventually(
      async () => {
        const { rows } = await t.db.query<{ body: string }>(
          `SELECT m.body FROM municipal_event_registration r JOIN message m ON m.conversation_id = r.conversation_id
           WHERE r.email = $1 AND m.kind = 'message' AND m.direction = 'outbound' ORDER BY m.created_at`,
          [email],
        );
        const found = rows.find((r) => r.body.includes(words));
        expect(found).toBeDefined();
        return found!.body;
      },
      { timeoutMs: 20_000 },
    );
    const link = /https?:\/\/\S+\/evenements\/\S+/.exec(body)?.[0];
    expect(link).toBeDefined();
    return link!.replace(t.config.publicUrl, t.url);
  }

  beforeAll(async () => {
    if (!existsSync(join(dist, 'citizen.html')))
      throw new Error('apps/web/dist/citizen.html is missing: `pnpm --filter @guichet/web build` first');
    mkdirSync(shots, { recursive: true });
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    // The demo's mailbox is off (it points at .invalid servers): on, the town writes its confirmations
    // to it, and the test reads the link from the message written (its delivery is not this test's).
    await t.db.query(`UPDATE channel SET enabled = true WHERE kind = 'email'`);
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('list → event → register → the confirmation’s link → cancel, axe-clean on a phone', async () => {
    const page = await pool.newPage({ viewport: PHONE });
    await page.goto(`${t.url}/evenements/demo`);
    await page.getByRole('heading', { level: 1, name: 'Événements de Ville de Démo' }).waitFor();
    const cards = page.getByTestId('event-card');
    expect(await cards.count()).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'list');
    await shot(page, 'list');

    // Filter by service: only Vie sportive's events remain.
    await page.getByLabel('Service').selectOption({ label: 'Vie sportive' });
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/teamId=/);
    const camp = page.getByTestId('event-card').filter({ hasText: CAMP });
    await camp.waitFor();
    for (const text of await page.getByTestId('event-card').allTextContents()) expect(text).toContain('Vie sportive');
    expect(await camp.getByTestId('event-places').textContent()).toBe('3 places restantes sur 40');

    await camp.getByRole('link', { name: CAMP }).click();
    await page.getByRole('heading', { level: 1, name: CAMP }).waitFor();
    expect(await page.getByText('Gymnase municipal, 12 rue des Sports, 99000 Démo').count()).toBe(1);
    await expectAccessible(page, 'event');
    await shot(page, 'event');

    // Sent empty: the page's script lists what is missing before anything is sent.
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    const summary = page.getByRole('alert');
    await summary.getByRole('link', { name: 'Indiquez votre nom.' }).waitFor({ timeout: 10_000 });
    await summary.getByRole('link', { name: 'Indiquez une adresse e-mail ou un numéro de téléphone.' }).waitFor();
    await summary.getByRole('link', { name: 'Répondez à la question « Âge du ou des enfants ».' }).waitFor();
    await expectAccessible(page, 'event form with errors');

    await page.getByLabel('Nom et prénom').fill('Camille Laurent');
    await page.getByLabel('Adresse e-mail').fill('camille.laurent@example.fr');
    await page.getByLabel('Nombre de places').fill('2');
    await page.getByLabel('Âge du ou des enfants').fill('8 et 10 ans');
    expect(await page.getByLabel('Je souhaite recevoir un rappel avant l’événement').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    await page.getByRole('heading', { name: 'Votre inscription est confirmée' }).waitFor();
    expect(await page.getByTestId('registration-status').textContent()).toBe('Inscription confirmée');
    await expectAccessible(page, 'registered');
    await shot(page, 'registered');

    // The confirmation message links to the registration page, which opens without an account.
    const link = await confirmationLink('camille.laurent@example.fr', 'est confirmée pour 2 places');
    const fresh = await pool.newPage({ viewport: PHONE });
    await fresh.goto(link);
    await fresh.getByRole('heading', { level: 1, name: 'Votre inscription' }).waitFor();
    expect(await fresh.getByTestId('registration-status').textContent()).toBe('Inscription confirmée');
    await fresh.getByText(/Annulation en ligne possible jusqu’au/).waitFor();
    await fresh.getByRole('button', { name: 'Annuler mon inscription' }).click();
    await fresh.getByText('Voulez-vous vraiment annuler votre inscription ?').waitFor();
    await expectAccessible(fresh, 'cancel asked');
    await shot(fresh, 'cancel-ask');
    await fresh.getByRole('button', { name: 'Annuler définitivement mon inscription' }).click();
    await fresh.getByRole('status').getByText('Votre inscription est annulée.').waitFor();
    expect(await fresh.getByTestId('registration-status').textContent()).toBe('Inscription annulée');
    expect(await fresh.getByRole('button', { name: 'Annuler mon inscription' }).count()).toBe(0);
    await expectAccessible(fresh, 'cancelled');
    await shot(fresh, 'cancelled');
    await fresh.context().close();
    await page.context().close();
  });

  it('a full event says « Complet – liste d’attente » and a registration shows its position on the waiting list', async () => {
    const { rows } = await t.db.query<{ id: string; left: number }>(
      `SELECT id, capacity - booked_places AS left FROM municipal_event WHERE title = $1`,
      [CAMP],
    );
    const camp = rows[0]!;
    // The last places go to someone else.
    const res = await t.http('POST', `/api/v1/public/events/${camp.id}/registrations`, {
      body: { name: 'Nora Faure', email: 'nora.faure@example.fr', places: camp.left, answers: { 'age-enfant': '9 ans' } },
      headers: { 'x-forwarded-for': '10.9.0.1' },
    });
    expect(res.body.status).toBe('confirmed');

    const page = await pool.newPage({ viewport: PHONE });
    await page.goto(`${t.url}/evenements/demo`);
    const card = page.getByTestId('event-card').filter({ hasText: CAMP });
    expect(await card.getByTestId('event-places').textContent()).toBe('Complet – liste d’attente');
    await card.getByRole('link', { name: CAMP }).click();
    await page.getByTestId('waitlist-notice').waitFor();
    await page.getByLabel('Nom et prénom').fill('Hugo Marchand');
    await page.getByLabel('Téléphone portable').fill('06 45 67 89 10');
    await page.getByLabel('Âge du ou des enfants').fill('11 ans');
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    await page.getByRole('heading', { name: 'Vous êtes sur la liste d’attente' }).waitFor();
    expect(await page.getByTestId('waitlist-position').textContent()).toBe('Votre position : 1');
    expect(await page.getByTestId('registration-position').textContent()).toBe('1');
    await expectAccessible(page, 'waitlisted');
    await shot(page, 'waitlisted');

    // At 200 % zoom on a phone (195 px of CSS width), nothing scrolls sideways.
    await page.setViewportSize({ width: 195, height: 422 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.context().close();
  });

  it('an event of three afternoons lists its sessions with their places; the citizen picks one (a full one cannot be picked)', async () => {
    const TITLE = 'Ateliers créatifs des vacances d’hiver';
    // Three afternoons of 4 places; the second is full and has no waiting list.
    const { rows } = await t.db.query<{ id: string }>(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, ends_at, capacity, booked_places, published,
                                      questions)
         SELECT t.organization_id, t.id, $1, 'Médiathèque, 5 rue des Arts, 99000 Démo',
                date_trunc('day', now()) + interval '15 days 13 hours', date_trunc('day', now()) + interval '17 days 16 hours',
                12, 4, true, '[]'
           FROM team t JOIN organization o ON o.id = t.organization_id WHERE t.name = 'Vie culturelle' AND o.slug = 'demo'
         RETURNING id, organization_id),
       s AS (
         INSERT INTO municipal_event_session (organization_id, event_id, starts_at, ends_at, capacity, booked_places)
         SELECT e.organization_id, e.id, date_trunc('day', now()) + make_interval(days => 15 + d, hours => 13),
                date_trunc('day', now()) + make_interval(days => 15 + d, hours => 16), 4, CASE WHEN d = 1 THEN 4 ELSE 0 END
           FROM e CROSS JOIN generate_series(0, 2) AS d)
       SELECT id FROM e`,
      [TITLE],
    );
    const eventId = rows[0]!.id;
    const page = await pool.newPage({ viewport: PHONE });
    await page.goto(`${t.url}/evenements/demo/${eventId}`);
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    const sessions = page.getByTestId('event-session');
    expect(await sessions.count()).toBe(3);
    expect(await sessions.getByTestId('event-places').allTextContents()).toEqual([
      '4 places restantes sur 4',
      'Complet',
      '4 places restantes sur 4',
    ]);
    const choice = page.getByRole('group', { name: 'Séance choisie *' });
    const radios = choice.getByRole('radio');
    expect(await radios.count()).toBe(3);
    expect(await radios.nth(1).isDisabled()).toBe(true);
    await expectAccessible(page, 'event with sessions');
    await shot(page, 'sessions');

    // Sent without a session: the server says to choose one, on the choice itself.
    await page.getByLabel('Nom et prénom').fill('Léna Girard');
    await page.getByLabel('Adresse e-mail').fill('lena.girard@example.fr');
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    await page.getByRole('alert').getByRole('link', { name: 'Choisissez une séance.' }).waitFor();
    await expectAccessible(page, 'session not chosen');
    await shot(page, 'sessions-error');

    await page.getByRole('group', { name: 'Séance choisie *' }).getByRole('radio').nth(2).check();
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    await page.getByRole('heading', { name: 'Votre inscription est confirmée' }).waitFor();
    const { rows: mine } = await t.db.query(
      `SELECT s.starts_at = (SELECT max(starts_at) FROM municipal_event_session WHERE event_id = $1) AS third
         FROM municipal_event_registration r JOIN municipal_event_session s ON s.id = r.session_id
        WHERE r.event_id = $1 AND r.email = 'lena.girard@example.fr'`,
      [eventId],
    );
    expect(mine).toEqual([{ third: true }]);
    await expectAccessible(page, 'registered to a session');
    await page.context().close();
  });

  it('the demo town’s workshop of three afternoons: the first full with its waiting list, a child joins it at position 4, told by SMS', async () => {
    const WORKSHOP = 'Ateliers théâtre des vacances (8-11 ans)';
    const page = await pool.newPage({ viewport: PHONE });
    await page.goto(`${t.url}/evenements/demo`);
    const card = page.getByTestId('event-card').filter({ hasText: WORKSHOP });
    expect(await card.textContent()).toContain('3 séances');
    await card.getByRole('link', { name: WORKSHOP }).click();
    await page.getByRole('heading', { level: 1, name: WORKSHOP }).waitFor();
    expect(await page.getByTestId('event-session').getByTestId('event-places').allTextContents()).toEqual([
      'Complet – liste d’attente',
      '2 places restantes sur 12',
      '8 places restantes sur 12',
    ]);
    await expectAccessible(page, 'demo workshop');
    await shot(page, 'demo-workshop');

    await page.getByRole('group', { name: 'Séance choisie *' }).getByRole('radio').first().check();
    await page.getByLabel('Nom et prénom').fill('Inès Roche');
    await page.getByLabel('Adresse e-mail').fill('ines.roche@example.fr');
    // Both an e-mail and a phone: she chooses to be told by SMS.
    await page.getByLabel('Téléphone portable').fill('06 12 34 56 09');
    await page.getByRole('group', { name: 'Si vous indiquez les deux, être prévenu(e) par' }).getByLabel('SMS').check();
    await page.getByLabel('Âge du ou des enfants').fill('9 ans');
    await page.getByRole('button', { name: 'Confirmer l’inscription' }).click();
    await page.getByRole('heading', { name: 'Vous êtes sur la liste d’attente' }).waitFor();
    expect(await page.getByTestId('waitlist-position').textContent()).toBe('Votre position : 4');
    const { rows: stored } = await t.db.query(
      `SELECT status, channel, phone FROM municipal_event_registration WHERE email = 'ines.roche@example.fr'`,
    );
    expect(stored).toEqual([{ status: 'waitlisted', channel: 'sms', phone: '+33612345609' }]);
    await expectAccessible(page, 'demo workshop waitlisted');
    await shot(page, 'demo-workshop-waitlisted');
    await page.context().close();
  });
});
