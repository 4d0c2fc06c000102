import { launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/**
 * Issue 17 in Chromium: registrations made, cancelled and promoted on the public API reach the
 * agent's events screens by socket (`registration.*`, published from the domain events of the
 * write, and from the notice job that opens the citizen's file): the events list's places and the
 * registrants screen's rows, counters and file links change without a reload of the page and
 * without asking the API again. So do a colleague's check-in at the door
 * (`registration.checked_in`) and a colleague's new event, change and cancellation of the event
 * itself (`municipal_event.*`).
 */
describe('live registrations on the agents’ events screens in Chromium', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  const stamp = Date.now();
  const TITLE = `Concert du conservatoire ${stamp % 100_000}`;

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  const register = async (i: number, name: string) => {
    const r = await t.http('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { name, email: `live.${stamp}.${i}@example.fr`, places: 1, consentReminders: true },
      headers: { 'x-forwarded-for': `10.117.0.${i + 1}` },
    });
    expect(r.status).toBe(201);
    return r.body as { id: string; status: string; token: string };
  };
  let eventId = '';

  it('a citizen registers, another waits, the first cancels: the agent sees each change at once', async () => {
    // An event of Manon's service (Vie culturelle), 2 places, 2 on the waiting list, automatic promotion.
    const { rows } = await t.db.query<{ id: string }>(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, capacity, waitlist_capacity, published)
         SELECT t.organization_id, t.id, $1, 'Auditorium, 2 rue de la Musique, 99000 Démo', now() + interval '9 days', 2, 2, true
           FROM team t JOIN organization o ON o.id = t.organization_id
          WHERE t.name = 'Vie culturelle' AND o.slug = 'demo'
       RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity, booked_places FROM e RETURNING id`,
      [TITLE],
    );
    expect(rows).toHaveLength(1);
    eventId = rows[0]!.id;

    const page = await signInDemo(pool, t.url, 'manon.girard@demo.guichet.fr');
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && /\/api\/v1\/events/.test(r.url())) asked.push(new URL(r.url()).pathname);
    });
    await page.getByRole('link', { name: 'Événements' }).click();
    const row = page.getByTestId('events-table').getByRole('row').filter({ hasText: TITLE });
    await row.getByText('0 / 2 places réservées').waitFor({ timeout: 15_000 });
    // A mark on the window: a reload would drop it.
    await page.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 17));
    const before = asked.length;

    const first = await register(0, 'Aline Rousseau');
    expect(first.status).toBe('confirmed');
    await row.getByText('1 / 2 places réservées').waitFor({ timeout: 5_000 });

    // A colleague of the service creates an event at the door: it takes its place in Manon's list.
    const { rows: team } = await t.db.query<{ id: string; organization_id: string }>(
      `SELECT t.id, t.organization_id FROM team t JOIN organization o ON o.id = t.organization_id
        WHERE t.name = 'Vie culturelle' AND o.slug = 'demo'`,
    );
    const colleague = await t.newAgent({ organizationId: team[0]!.organization_id, teamIds: [team[0]!.id], name: 'Inès Colin' });
    const created = await t.http('POST', '/api/v1/events', {
      token: colleague.token,
      body: {
        teamId: team[0]!.id,
        title: `Répétition publique ${stamp % 100_000}`,
        place: 'Auditorium, 2 rue de la Musique, 99000 Démo',
        startsAt: new Date(Date.now() + 8 * 86_400_000).toISOString(),
        capacity: 30,
        published: true,
      },
    });
    expect(created.status).toBe(201);
    await page
      .getByTestId('events-table')
      .getByRole('row')
      .filter({ hasText: `Répétition publique ${stamp % 100_000}` })
      .getByText('0 / 30 places réservées')
      .waitFor({ timeout: 5_000 });

    await row.getByRole('link', { name: `Inscrits ${TITLE}` }).click();
    await page.getByRole('heading', { name: `Inscrits — ${TITLE}` }).waitFor();
    const registrants = page.getByTestId('registrants-table');
    await registrants.getByRole('rowheader', { name: /Aline Rousseau/ }).waitFor();
    const opened = asked.length;

    expect((await register(1, 'Bastien Morel')).status).toBe('confirmed');
    const third = await register(2, 'Chloé Petit');
    expect(third.status).toBe('waitlisted');
    await registrants.getByRole('rowheader', { name: /Bastien Morel/ }).waitFor({ timeout: 5_000 });
    const chloe = registrants.getByRole('row').filter({ hasText: 'Chloé Petit' });
    await chloe.getByText('Position 1').waitFor({ timeout: 5_000 });
    await page.getByText('2 / 2 places réservées').waitFor();
    await page.getByText('1 place en liste d’attente').waitFor();

    // Aline cancels through her link: her row leaves the active list, Chloé is offered the place.
    const cancelled = await t.http('POST', `/api/v1/public/registrations/${first.id}/cancel?token=${first.token}`);
    expect(cancelled.status).toBe(200);
    await registrants.getByRole('rowheader', { name: /Aline Rousseau/ }).waitFor({ state: 'detached', timeout: 5_000 });
    await chloe.getByText('Place proposée').waitFor({ timeout: 5_000 });
    await page.getByText('0 place en liste d’attente').waitFor();
    await page.getByText('2 / 2 places réservées').waitFor();
    const { rows: stored } = await t.db.query<{ name: string; status: string }>(
      `SELECT name, status FROM municipal_event_registration WHERE event_id = $1 ORDER BY seq`,
      [eventId],
    );
    expect(stored).toEqual([
      { name: 'Aline Rousseau', status: 'cancelled' },
      { name: 'Bastien Morel', status: 'confirmed' },
      { name: 'Chloé Petit', status: 'offered' },
    ]);

    // Bastien's file, opened by his notice job after the answer, is linked from his row as soon as it exists.
    const bastien = registrants.getByRole('row').filter({ hasText: 'Bastien Morel' });
    await bastien.getByRole('link', { name: 'Ouvrir la conversation' }).waitFor({ timeout: 15_000 });

    // The colleague at the door checks Bastien in on their tablet: Manon's row and count follow.
    const bastienId = (
      await t.db.query<{ id: string }>(`SELECT id FROM municipal_event_registration WHERE event_id = $1 AND name = $2`, [
        eventId,
        'Bastien Morel',
      ])
    ).rows[0]!.id;
    const checked = await t.http('POST', `/api/v1/events/${eventId}/registrations/${bastienId}/check-in`, {
      token: colleague.token,
      body: { present: true },
    });
    expect(checked.status).toBe(200);
    await bastien.locator('button[aria-pressed="true"]').waitFor({ timeout: 5_000 });
    await page.getByTestId('present-count').getByText('Présents : 1 / 1').waitFor();

    // The colleague moves the event to another room and adds a place, then cancels it.
    const moved = await t.http('PATCH', `/api/v1/events/${eventId}`, {
      token: colleague.token,
      body: { place: 'Salle des fêtes, 1 place de la Mairie, 99000 Démo', capacity: 3 },
    });
    expect(moved.status).toBe(200);
    await page.getByText(/Salle des fêtes, 1 place de la Mairie/).waitFor({ timeout: 5_000 });
    await page.getByText('2 / 3 places réservées').waitFor();
    const called = await t.http('POST', `/api/v1/events/${eventId}/cancel`, {
      token: colleague.token,
      body: { message: 'Le concert est annulé, toutes nos excuses.' },
    });
    expect(called.status).toBe(200);
    await page.locator('.registrants__summary').getByText('Annulé').waitFor({ timeout: 5_000 });

    // No reload, and nothing asked again but what opening the registrants screen asked.
    expect(await page.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(17);
    expect(before).toBeGreaterThan(0);
    expect(asked.slice(before, opened).every((p) => p.startsWith(`/api/v1/events/${eventId}`))).toBe(true);
    expect(asked.slice(opened)).toEqual([]);

    await expectAccessible(page, 'registrants, live');
    await page.screenshot({ path: join(shots, 'events-registrants-live.png'), fullPage: true });
  });
});
