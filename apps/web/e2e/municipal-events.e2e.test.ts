import { expectEventually, launchBrowserPool, type BrowserPool } from '@guichet/testing';
import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../api/test/harness';
import { expectAccessible, signInDemo, webPaths } from './demo-session';

/**
 * Municipal events, the agents' side, in real Chromium (issue 17): a Vie culturelle agent creates
 * an event with the keyboard shortcut, publishes it; citizens register (one lands on the waiting
 * list); the agent checks them in at the door (a name and Enter, then a big button on a tablet),
 * exports CSV and XLSX, writes to every registrant — the message lands in each one's
 * conversation — and the citizen file shows the registration. Screens checked with axe and shot at
 * 1440×900 and 1024×768.
 */
describe('municipal events in Chromium (agents)', () => {
  const { dist, shots } = webPaths();
  let t: TestApp;
  let pool: BrowserPool;
  const stamp = Date.now();
  const TITLE = `Atelier d’écriture ${stamp % 100_000}`;
  const MESSAGE = `Rendez-vous à l’accueil de la médiathèque ${stamp}`;

  beforeAll(async () => {
    t = await startTestApp({ webDistDir: dist, seedDemo: true });
    pool = await launchBrowserPool();
    // The demo town's mailbox points at no real server and is switched off: switched on here, its
    // messages are written and queued (then fail to leave), as a real town's would be sent.
    await t.db.query(`UPDATE channel SET enabled = true WHERE kind = 'email'`);
  });
  afterAll(async () => {
    await pool?.close();
    await t?.close();
  });

  it('create → publish → registrants → check-in → export → message all, and the citizen file shows the registration', async () => {
    const page = await signInDemo(pool, t.url, 'manon.girard@demo.guichet.fr');
    await page.getByRole('link', { name: 'Événements' }).click();
    await page.getByRole('heading', { name: 'Événements', level: 1 }).waitFor({ timeout: 15_000 });
    // Her service's seeded events only.
    const table = page.getByTestId('events-table');
    await table.getByRole('row').nth(1).waitFor();
    expect(await table.getByText('Vie sportive').count()).toBe(0);
    await expectAccessible(page, 'events list');
    await page.screenshot({ path: join(shots, 'events-list.png') });

    // « n » opens the editor, its title field focused.
    await page.locator('body').press('n');
    const editor = page.getByTestId('event-editor');
    await editor.getByRole('heading', { name: 'Nouvel événement' }).waitFor();
    await page.keyboard.type(TITLE);
    await editor.getByLabel('Lieu (adresse)').fill('Médiathèque, 1 place de la Mairie, 99000 Démo');
    const start = new Date(Date.now() + 12 * 24 * 3600_000);
    const local = (d: Date) =>
      new Date(d.getTime() - d.getTimezoneOffset() * 60_000)
        .toISOString()
        .slice(0, 16)
        .replace(/:\d\d$/, ':00');
    await editor.getByLabel(/^Début/).fill(local(start));
    await editor.getByLabel('Nombre de places').fill('3');
    await editor.getByLabel('Places en liste d’attente').fill('2');
    await editor.getByLabel('Places au plus par inscription').fill('2');
    await editor.getByLabel('Un agent propose la place (promotion manuelle)').check();
    await editor.getByLabel('Délai pour confirmer une place proposée (heures)').fill('24');
    // Online cancellation closes 6 h before the start (4 h by default).
    const cutoff = editor.getByLabel('Annulation en ligne possible jusqu’à (heures avant le début)');
    expect(await cutoff.inputValue()).toBe('4');
    await cutoff.fill('6');
    // Booking lead times: registrations open 30 days before and close 2 h before.
    await editor.getByLabel('Inscriptions ouvertes à partir de (jours avant le début)').fill('30');
    await editor.getByLabel('Inscriptions closes (heures avant le début)').fill('2');
    await editor.getByLabel('7 jours avant').check();
    await editor.getByRole('button', { name: 'Ajouter une question' }).click();
    await editor.getByLabel('Question 1').fill('Âge de l’enfant');
    await editor.getByLabel('Réponse obligatoire').check();
    // A bad input is refused in French, next to the form.
    await editor.getByLabel('Nombre de places').fill('0');
    await editor.getByRole('button', { name: 'Créer l’événement' }).click();
    await editor.getByText(/au moins une place/i).waitFor();
    await editor.getByLabel('Nombre de places').fill('3');
    await expectAccessible(page, 'event editor');
    await page.screenshot({ path: join(shots, 'events-editor.png'), fullPage: true });
    await editor.getByRole('button', { name: 'Créer l’événement' }).click();
    await page.getByText(`Événement « ${TITLE} » créé.`).waitFor();
    const row = table.getByRole('row').filter({ hasText: TITLE });
    await row.getByText('Brouillon').waitFor();
    await row.getByRole('button', { name: `Publier ${TITLE}` }).click();
    await row.getByText('Publié').waitFor();
    // The list's filters: by state, by the day from which, by service.
    await page.getByLabel('État').selectOption({ label: 'Brouillon' });
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('État').selectOption({ label: 'Publié' });
    await row.waitFor();
    await page.getByLabel('À partir du').fill(local(new Date(start.getTime() + 24 * 3600_000)).slice(0, 10));
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('À partir du').fill('');
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Vie culturelle' });
    await row.waitFor();
    await expectAccessible(page, 'events list filtered');
    await page.getByLabel('Service', { exact: true }).selectOption({ label: 'Tous les services' });
    await page.getByLabel('État').selectOption({ label: 'Tous les états' });

    const { rows } = await t.db.query(
      `SELECT e.id, e.capacity, e.waitlist_capacity, e.max_places, e.promotion, e.confirmation_hours, e.cancel_cutoff_hours, e.reminder_minutes,
              e.booking_opens_days_before, e.booking_closes_hours_before, e.questions, t.name AS team FROM municipal_event e JOIN team t ON t.id = e.team_id WHERE e.title = $1`,
      [TITLE],
    );
    expect(rows[0]).toMatchObject({
      capacity: 3,
      waitlist_capacity: 2,
      max_places: 2,
      promotion: 'manual',
      confirmation_hours: 24,
      cancel_cutoff_hours: 6,
      booking_opens_days_before: 30,
      booking_closes_hours_before: 2,
      reminder_minutes: expect.arrayContaining([10080, 2880, 120]),
      questions: [{ id: 'age-de-l-enfant', label: 'Âge de l’enfant', required: true }],
      team: 'Vie culturelle',
    });
    const eventId = rows[0].id as string;

    // Citizens register on the public API: 2 + 1 places fill it, the third waits.
    const citizens = [
      { name: 'Élodie Marchand', email: `elodie.${stamp}@example.fr`, places: 2 },
      { name: 'Karim Benali', phone: '06 40 12 34 56', places: 1 },
      { name: 'Zoé Laurent', email: `zoe.${stamp}@example.fr`, places: 1 },
    ];
    for (const [i, c] of citizens.entries()) {
      const r = await t.http('POST', `/api/v1/public/events/${eventId}/registrations`, {
        body: { ...c, answers: { 'age-de-l-enfant': `${8 + i} ans` }, consentReminders: true },
        headers: { 'x-forwarded-for': `10.17.0.${i + 1}` },
      });
      expect(r.status).toBe(201);
      expect(r.body.status).toBe(i < 2 ? 'confirmed' : 'waitlisted');
    }

    await row.getByRole('link', { name: `Inscrits ${TITLE}` }).click();
    await page.getByRole('heading', { name: `Inscrits — ${TITLE}` }).waitFor();
    const registrants = page.getByTestId('registrants-table');
    await registrants.getByRole('rowheader', { name: /Zoé Laurent/ }).waitFor();
    await registrants.getByText('Position 1').waitFor();
    await registrants.getByText('10 ans').waitFor();
    await page.getByText('3 / 3 places réservées').waitFor();
    await expectAccessible(page, 'registrants');
    await page.screenshot({ path: join(shots, 'events-registrants.png'), fullPage: true });

    // At the door: a name and Enter checks the one match in.
    const search = page.getByLabel('Rechercher un inscrit');
    await search.fill('elodie');
    await search.press('Enter');
    await page.getByText('Élodie Marchand : arrivée pointée.').waitFor();
    expect(await search.inputValue()).toBe('');
    await page.getByTestId('present-count').getByText('Présents : 2 / 3').waitFor();

    // On a tablet, a finger on the big button.
    await page.setViewportSize({ width: 1024, height: 768 });
    const karim = registrants.getByRole('button', { name: 'Présent Karim Benali' });
    const box = (await karim.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    await karim.click();
    await registrants.locator('button[aria-pressed="true"]', { hasText: 'Karim Benali' }).waitFor();
    await page.getByTestId('present-count').getByText('Présents : 3 / 3').waitFor();
    await expectAccessible(page, 'registrants on a tablet');
    await page.screenshot({ path: join(shots, 'events-registrants-tablet.png'), fullPage: true });
    const checked = await t.db.query(
      `SELECT name FROM municipal_event_registration WHERE event_id = $1 AND checked_in_at IS NOT NULL`,
      [eventId],
    );
    expect(checked.rows.map((r) => r.name).sort()).toEqual(['Karim Benali', 'Élodie Marchand'].sort());
    await page.setViewportSize({ width: 1440, height: 900 });

    // Exports: CSV for any spreadsheet, XLSX with typed columns.
    let downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Exporter en CSV' }).click();
    let download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^inscrits-atelier-d-ecriture-\d+\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('Nom;E-mail;Téléphone;Places;Statut;Position;Présent;Arrivé à;Inscrit le;Âge de l’enfant');
    expect(csv).toHaveLength(4);
    expect(csv[3]).toMatch(/^Zoé Laurent;zoe\.\d+@example\.fr;;1;liste d’attente;1;;;/);
    downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Exporter en XLSX' }).click();
    download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const xlsx = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const strings = strFromU8(xlsx['xl/sharedStrings.xml']!);
    for (const header of ['Nom', 'Présent', 'Arrivé à', 'Âge de l’enfant', 'Karim Benali']) expect(strings).toContain(header);
    await page.getByText('Export XLSX téléchargé.').waitFor();

    // Manual promotion: a place freed, the agent offers it to the waiting list's head.
    const karimRow = registrants.getByRole('row').filter({ hasText: 'Karim Benali' });
    await karimRow.getByRole('button', { name: 'Annuler l’inscription Karim Benali' }).click();
    await karimRow.getByRole('button', { name: 'Confirmer l’annulation' }).click();
    await page.getByText('Inscription de Karim Benali annulée.').waitFor();
    const zoeRow = registrants.getByRole('row').filter({ hasText: 'Zoé Laurent' });
    await zoeRow.getByRole('button', { name: 'Proposer une place Zoé Laurent' }).click();
    await zoeRow.getByText('Place proposée').waitFor();

    // Every registrant still concerned gets the message once their file is written.
    await expectEventually(
      async () => {
        const { rows: files } = await t.db.query(
          `SELECT count(*)::int AS n FROM municipal_event_registration
           WHERE event_id = $1 AND conversation_id IS NOT NULL AND status IN ('confirmed', 'offered')`,
          [eventId],
        );
        expect(files[0].n).toBe(2);
      },
      { timeoutMs: 20_000 },
    );
    // Registrations open files already filed: no « new conversation » toast for each of them.
    expect(await page.getByTestId('toast').count()).toBe(0);
    await page.getByLabel('Message', { exact: true }).fill(MESSAGE);
    await page.getByRole('button', { name: 'Envoyer aux 2 inscrits' }).click();
    await page.getByText('Message envoyé à 2 inscrits.').waitFor();
    const sent = await t.db.query(
      `SELECT r.name, m.direction, m.kind, m.author_agent_id IS NOT NULL AS by_agent
       FROM municipal_event_registration r JOIN message m ON m.conversation_id = r.conversation_id
       WHERE r.event_id = $1 AND m.body = $2`,
      [eventId, MESSAGE],
    );
    expect(sent.rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'Élodie Marchand', direction: 'outbound', kind: 'message', by_agent: true },
      { name: 'Zoé Laurent', direction: 'outbound', kind: 'message', by_agent: true },
    ]);

    // The conversation: the message in the timeline, the registration in the citizen file.
    await registrants
      .getByRole('row')
      .filter({ hasText: 'Élodie Marchand' })
      .getByRole('link', { name: 'Ouvrir la conversation Élodie Marchand' })
      .click();
    const panel = page.locator('#citizen-panel');
    const file = panel.getByTestId('citizen-registrations');
    await file.getByRole('link', { name: new RegExp(TITLE) }).waitFor({ timeout: 15_000 });
    await file.getByText(/Confirmé · 2 pl\./).waitFor();
    await page.getByText(MESSAGE).first().waitFor();
    await page.getByText(`Inscription à l’événement « ${TITLE} » : confirmée (2 places)`).waitFor();
    await expectAccessible(page, 'conversation with the citizen’s registrations');
    await page.screenshot({ path: join(shots, 'events-citizen-file.png') });
  });
  it('a cancelled event’s registrants screen offers no check-in, promotion nor cancellation, and says why', async () => {
    const { rows: teams } = await t.db.query(`SELECT id, organization_id FROM team WHERE name = 'Vie culturelle'`);
    const title = `Concert annulé ${stamp % 100_000}`;
    const { rows } = await t.db.query(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, capacity, waitlist_capacity, published)
         VALUES ($1, $2, $3, 'Église Saint-Martin', now() + interval '9 days', 1, 3, true)
       RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity, booked_places)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity, booked_places FROM e RETURNING id`,
      [teams[0].organization_id, teams[0].id, title],
    );
    const eventId = rows[0].id as string;
    for (const [i, name] of ['Lucie Perrin', 'Hugo Lambert'].entries()) {
      const r = await t.http('POST', `/api/v1/public/events/${eventId}/registrations`, {
        body: { name, email: `${name.split(' ')[0]!.toLowerCase()}.${stamp}@example.fr`, places: 1 },
        headers: { 'x-forwarded-for': `10.18.0.${i + 1}` },
      });
      expect(r.body.status).toBe(i === 0 ? 'confirmed' : 'waitlisted');
    }
    await t.db.query(`UPDATE municipal_event SET cancelled_at = now() WHERE id = $1`, [eventId]);

    const page = await signInDemo(pool, t.url, 'manon.girard@demo.guichet.fr');
    await page.goto(`${t.url}/#/evenements/${eventId}`);
    await page.getByRole('heading', { name: `Inscrits — ${title}` }).waitFor({ timeout: 15_000 });
    const registrants = page.getByTestId('registrants-table');
    await registrants.getByRole('rowheader', { name: /Hugo Lambert/ }).waitFor();
    await page
      .getByTestId('cancelled-event-notice')
      .getByText(/Cet événement a été annulé le .+ et ses inscrits ont été prévenus/)
      .waitFor();
    // No action on a registration: no presence button, no place to offer, no cancellation.
    expect(await registrants.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Présent|Proposer une place|Annuler l’inscription/ }).count()).toBe(0);
    // What still makes sense stays: the exports and a message to the registrants.
    await page.getByRole('button', { name: 'Exporter en CSV' }).waitFor();
    await page.getByLabel('Message', { exact: true }).waitFor();
    await expectAccessible(page, 'registrants of a cancelled event');
    await page.screenshot({ path: join(shots, 'events-registrants-cancelled.png'), fullPage: true });
  });

  it('an event gets a second session from its registrants page; each shows its places; the list filters by session', async () => {
    const title = `Stage de théâtre ${stamp % 100_000}`;
    const { rows } = await t.db.query(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, capacity, waitlist_capacity, published)
         SELECT t.organization_id, t.id, $1, 'Théâtre municipal', date_trunc('hour', now()) + interval '20 days', 4, 0, true
           FROM team t JOIN organization o ON o.id = t.organization_id WHERE t.name = 'Vie culturelle' AND o.slug = 'demo'
         RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity FROM e RETURNING id`,
      [title],
    );
    const eventId = rows[0].id as string;
    const page = await signInDemo(pool, t.url, 'manon.girard@demo.guichet.fr');
    await page.goto(`${t.url}/#/evenements/${eventId}`);
    await page.getByRole('heading', { name: `Inscrits — ${title}` }).waitFor({ timeout: 15_000 });

    await page.getByRole('button', { name: 'Ajouter une séance' }).click();
    const form = page.getByRole('form', { name: 'Ajouter une séance' });
    const second = new Date(Date.now() + 21 * 24 * 3600_000);
    second.setMinutes(0, 0, 0);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel(/^Début/).fill(local(second));
    await form.getByLabel(/^Nombre de places/).fill('6');
    await form.getByRole('button', { name: 'Ajouter la séance' }).click();
    await page.getByText('Séance ajoutée.').waitFor();
    const panel = page.getByTestId('sessions-panel');
    await panel.getByRole('heading', { name: 'Séances (2)' }).waitFor();

    // A citizen registers for the second session: its places, and only its, move.
    const { rows: sessions } = await t.db.query(`SELECT id FROM municipal_event_session WHERE event_id = $1 ORDER BY starts_at`, [
      eventId,
    ]);
    const r = await t.http('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { name: 'Jeanne Roussel', email: `jeanne.${stamp}@example.fr`, places: 1, sessionId: sessions[1].id },
      headers: { 'x-forwarded-for': '10.19.0.1' },
    });
    expect(r.status).toBe(201);
    await panel.getByText('1 / 6 places réservées · 0 en liste d’attente').waitFor({ timeout: 10_000 });
    await panel.getByText('0 / 4 places réservées · 0 en liste d’attente').waitFor();
    const registrants = page.getByTestId('registrants-table');
    await registrants.getByRole('rowheader', { name: /Jeanne Roussel/ }).waitFor();
    await registrants.getByText(/^Séance du /).waitFor();
    await page.getByLabel('Séance', { exact: true }).selectOption({ index: 1 });
    await registrants.getByText('Aucun inscrit ne correspond.').waitFor();
    await page.getByLabel('Séance', { exact: true }).selectOption({ index: 2 });
    await registrants.getByRole('rowheader', { name: /Jeanne Roussel/ }).waitFor();
    await expectAccessible(page, 'registrants of an event of two sessions');
    await page.screenshot({ path: join(shots, 'events-agent-sessions.png'), fullPage: true });
  });
});
