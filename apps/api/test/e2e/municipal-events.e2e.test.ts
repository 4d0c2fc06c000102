import ExcelJS from 'exceljs';
import type { ContactRegistrationDto, MunicipalEventDto, PublicRegistrationCreated, RegistrationDto } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { RegistrantNotices, when } from '../../src/modules/municipal-events/registrant-notices.service';
import { RegistrationService } from '../../src/modules/municipal-events/registration.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** Issue 17: municipal events, registrations with capacity and waiting list, reminders. */
describe('municipal events', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let counter = 0;
  // Each registration posts from its own address, so the per-IP quota is met only where tested.
  const ip = () => ({ 'x-forwarded-for': `10.1.${Math.floor(++counter / 250)}.${counter % 250}` });
  const inDays = (d: number) => new Date(Date.now() + d * 24 * 3600_000).toISOString();

  const create = (body: Record<string, unknown>, token = town.agentSco.token) =>
    t.http<MunicipalEventDto>('POST', '/api/v1/events', {
      token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier vacances',
        description: 'Un atelier',
        place: 'Médiathèque, 1 place de la Mairie',
        startsAt: inDays(10),
        capacity: 10,
        waitlistCapacity: 0,
        maxPlacesPerRegistration: 2,
        published: true,
        ...body,
      },
    });
  const register = (eventId: string, body: Record<string, unknown>) =>
    t.http<PublicRegistrationCreated & { message?: string }>('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { name: 'Inès Morel', places: 1, consentReminders: true, ...body },
      headers: ip(),
    });
  const registrations = (eventId: string, token = town.agentSco.token) =>
    t.http<RegistrationDto[]>('GET', `/api/v1/events/${eventId}/registrations`, { token });

  beforeAll(async () => {
    t = await startTestApp({ publicRequestsPerHour: 20 });
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('an agent of the service creates an event (201); bad input is a 400 with French reasons; other services are refused', async () => {
    const res = await create({ questions: [{ label: 'Âge de l’enfant', required: true }] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      teamId: town.scolarite.id,
      capacity: 10,
      availablePlaces: 10,
      published: true,
      status: 'scheduled',
      questions: [{ id: 'age-de-l-enfant', label: 'Âge de l’enfant', required: true }],
      reminderMinutes: [2880, 120],
    });
    const bad = await create({ capacity: 0, title: '' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('au moins une place');
    expect(JSON.stringify(bad.body)).toContain('le titre est obligatoire');
    const order = await create({ endsAt: inDays(9) });
    expect(order.status).toBe(400);
    expect(JSON.stringify(order.body)).toContain('la fin doit suivre le début');
    // An agent of État civil may not create nor read Scolarité's events.
    expect((await create({}, town.agentEC.token)).status).toBe(403);
    expect((await registrations(res.body.id, town.agentEC.token)).status).toBe(403);
    expect((await registrations(res.body.id, town.supervisor.token)).status).toBe(200);
    const list = await t.http<MunicipalEventDto[]>('GET', '/api/v1/events', { token: town.agentEC.token });
    expect(list.body.some((e) => e.id === res.body.id)).toBe(false);
    expect(await t.count('municipal_event')).toBe(1);
  });

  it('citizens list published events and register; a required answer, the maximum of places and a duplicate are refused in French', async () => {
    const ev = (await create({ questions: [{ label: 'Régime alimentaire', required: true }], theme: 'Jeunesse' })).body;
    const hidden = (await create({ published: false, title: 'Brouillon' })).body;
    const list = await t.http('GET', `/api/v1/public/organizations/${town.org.slug}/events?theme=jeunesse`);
    expect(list.status).toBe(200);
    expect(list.body.events.map((e: { id: string }) => e.id)).toEqual([ev.id]);
    expect((await t.http('GET', `/api/v1/public/events/${hidden.id}`)).status).toBe(404);
    expect((await register(hidden.id, { email: 'a@example.fr' })).status).toBe(404);

    const missing = await register(ev.id, { email: 'ines@example.fr' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('réponse obligatoire');
    const tooMany = await register(ev.id, { email: 'ines@example.fr', places: 3, answers: { 'regime-alimentaire': 'aucun' } });
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('2 places au plus');
    const noContact = await register(ev.id, { answers: { 'regime-alimentaire': 'aucun' } });
    expect(noContact.status).toBe(400);
    expect(JSON.stringify(noContact.body)).toContain('adresse e-mail ou un numéro');

    const ok = await register(ev.id, {
      email: 'Ines@Example.fr',
      phone: '06 11 22 33 44',
      places: 2,
      answers: { 'regime-alimentaire': 'végétarien' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'confirmed', places: 2 });
    expect(ok.body.position).toBeUndefined();
    expect(ok.body.manageUrl).toBe(
      `http://guichet.test/evenements/${town.org.slug}/inscription/${ok.body.id}?token=${ok.body.token}`,
    );

    const sameMail = await register(ev.id, { email: 'ines@example.fr', answers: { 'regime-alimentaire': 'aucun' } });
    expect(sameMail.status).toBe(409);
    expect(sameMail.body.message).toContain('cette adresse e-mail est déjà inscrite');
    const samePhone = await register(ev.id, { phone: '+33611223344', answers: { 'regime-alimentaire': 'aucun' } });
    expect(samePhone.status).toBe(409);
    expect(samePhone.body.message).toContain('ce numéro de téléphone est déjà inscrit');
    const honeypot = await register(ev.id, {
      email: 'robot@example.fr',
      website: 'http://spam',
      answers: { 'regime-alimentaire': 'x' },
    });
    expect(honeypot.status).toBe(400);
    expect(honeypot.body.message).toContain('formulaire rempli automatiquement');
    const regs = (await registrations(ev.id)).body;
    expect(regs).toHaveLength(1);
    expect(regs[0]).toMatchObject({
      email: 'ines@example.fr',
      phone: '+33611223344',
      places: 2,
      answers: { 'regime-alimentaire': 'végétarien' },
    });
    expect((await t.http('GET', `/api/v1/public/events/${ev.id}`)).body.availablePlaces).toBe(8);
  });

  it('a citizen cancels by the signed link; the first on the waiting list is offered the place and confirms it in time', async () => {
    const ev = (await create({ capacity: 1, waitlistCapacity: 5, confirmationHours: 24 })).body;
    const first = (await register(ev.id, { email: 'premier@example.fr' })).body;
    const second = (await register(ev.id, { email: 'second@example.fr' })).body;
    const third = (await register(ev.id, { email: 'troisieme@example.fr' })).body;
    expect([first.status, second.status, second.position, third.position]).toEqual(['confirmed', 'waitlisted', 1, 2]);

    expect((await t.http('GET', `/api/v1/public/registrations/${first.id}?token=faux`)).status).toBe(404);
    expect((await t.http('POST', `/api/v1/public/registrations/${first.id}/cancel?token=${second.token}`)).status).toBe(404);
    const view = await t.http('GET', `/api/v1/public/registrations/${first.id}?token=${first.token}`);
    expect(view.body).toMatchObject({ status: 'confirmed', cancellable: true, event: { title: 'Atelier vacances' } });
    const cancelled = await t.http('POST', `/api/v1/public/registrations/${first.id}/cancel?token=${first.token}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const offered = (await t.http('GET', `/api/v1/public/registrations/${second.id}?token=${second.token}`)).body;
    expect(offered.status).toBe('offered');
    expect(Date.parse(offered.offerExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await t.http('GET', `/api/v1/public/registrations/${third.id}?token=${third.token}`)).body.position).toBe(1);
    const confirmed = await t.http('POST', `/api/v1/public/registrations/${second.id}/confirm?token=${second.token}`);
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    // The cancelled e-mail may register again, on the waiting list now.
    const again = await register(ev.id, { email: 'premier@example.fr' });
    expect(again.body).toMatchObject({ status: 'waitlisted', position: 2 });
  });

  it('an offer not confirmed in time lapses and goes to the next; manual promotion waits for an agent', async () => {
    const ev = (await create({ capacity: 1, waitlistCapacity: 5, confirmationHours: 2 })).body;
    const a = (await register(ev.id, { email: 'a1@example.fr' })).body;
    const b = (await register(ev.id, { email: 'b1@example.fr' })).body;
    const c = (await register(ev.id, { email: 'c1@example.fr' })).body;
    await t.http('POST', `/api/v1/public/registrations/${a.id}/cancel?token=${a.token}`);
    const service = t.app.get(RegistrationService);
    // Time travel: three hours later.
    expect(await service.expireOffers(new Date(Date.now() + 3 * 3600_000))).toBe(1);
    const statusOf = async (id: string) => (await registrations(ev.id)).body.find((r) => r.id === id)!.status;
    expect(await statusOf(b.id)).toBe('expired');
    expect(await statusOf(c.id)).toBe('offered');

    const manual = (await create({ capacity: 1, waitlistCapacity: 5, promotion: 'manual' })).body;
    const m1 = (await register(manual.id, { email: 'm1@example.fr' })).body;
    const m2 = (await register(manual.id, { email: 'm2@example.fr' })).body;
    await t.http('POST', `/api/v1/public/registrations/${m1.id}/cancel?token=${m1.token}`);
    expect((await t.http('GET', `/api/v1/public/registrations/${m2.id}?token=${m2.token}`)).body.status).toBe('waitlisted');
    // A newcomer does not jump ahead of the waiting list for the free place.
    expect((await register(manual.id, { email: 'm3@example.fr' })).body.status).toBe('waitlisted');
    const promoted = await t.http('POST', `/api/v1/events/${manual.id}/registrations/${m2.id}/promote`, {
      token: town.agentSco.token,
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body.status).toBe('offered');
    const fullAgain = await t.http('POST', `/api/v1/events/${manual.id}/registrations/${m2.id}/promote`, {
      token: town.agentSco.token,
    });
    expect(fullAgain.status).toBe(409);
  });

  it('a registration opens the citizen’s file: a contact, a conversation of the service with the event in its timeline and a confirmation on the e-mail channel', async () => {
    const ev = (await create({ title: 'Forum des associations' })).body;
    const r = (await register(ev.id, { name: 'Karim Benali', email: 'karim@example.fr' })).body;
    const reg = await expectEventually(
      async () => {
        const x = (await registrations(ev.id)).body[0]!;
        expect(x.conversationId).not.toBeNull();
        return x;
      },
      { timeoutMs: 20_000 },
    );
    const { rows } = await t.db.query(
      `SELECT c.team_id, c.status, c.subject, m.kind, m.direction, m.body, m.channel_id, m.status AS message_status
       FROM conversation c JOIN message m ON m.conversation_id = c.id WHERE c.id = $1 ORDER BY m.created_at, m.kind`,
      [reg.conversationId],
    );
    expect(rows[0]).toMatchObject({
      team_id: town.scolarite.id,
      status: 'resolved',
      subject: 'Inscription : Forum des associations',
    });
    expect(rows.map((x) => x.kind).sort()).toEqual(['event', 'message']);
    const timeline = rows.find((x) => x.kind === 'event')!;
    expect(timeline.body).toContain('Inscription à l’événement « Forum des associations » : confirmée');
    const sent = rows.find((x) => x.kind === 'message')!;
    expect(sent.channel_id).toBe(town.email.id);
    expect(sent.body).toContain(`/evenements/${town.org.slug}/inscription/${r.id}?token=${r.token}`);
    const contact = await t.db.query(`SELECT i.value FROM contact_identity i WHERE i.contact_id = $1`, [reg.contactId]);
    expect(contact.rows.map((x) => x.value)).toEqual(['karim@example.fr']);
    // The cancellation lands in the same timeline.
    await t.http('POST', `/api/v1/public/registrations/${r.id}/cancel?token=${r.token}`);
    await expectEventually(
      async () => {
        const { rows: events } = await t.db.query(`SELECT body FROM message WHERE conversation_id = $1 AND kind = 'event'`, [
          reg.conversationId,
        ]);
        expect(events.map((e) => e.body)).toContain('Inscription à l’événement « Forum des associations » annulée');
      },
      { timeoutMs: 20_000 },
    );
  });

  it('a registrant who gives an e-mail and a phone chooses to be told by SMS: confirmation and reminders go by SMS; no choice means e-mail', async () => {
    const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
    const ev = (await create({ title: 'Fête de l’école', startsAt: startsAt.toISOString(), reminderMinutes: [2880] })).body;
    // SMS chosen without a phone: refused in French, on the phone field.
    const missing = await register(ev.id, { name: 'Lina Haddad', email: 'lina@example.fr', channel: 'sms' });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('phone: pour être prévenu par SMS, indiquez un numéro de téléphone portable');
    const bySms = (
      await register(ev.id, { name: 'Lina Haddad', email: 'lina@example.fr', phone: '06 12 34 56 01', channel: 'sms' })
    ).body;
    const byDefault = (await register(ev.id, { name: 'Marc Roy', email: 'marc@example.fr', phone: '06 12 34 56 02' })).body;
    // A choice with one identity only stores nothing to choose between.
    const single = (await register(ev.id, { name: 'Zoé Petit', email: 'zoe@example.fr', channel: 'email' })).body;
    const regs = await expectEventually(
      async () => {
        const list = (await registrations(ev.id)).body;
        expect(list.every((r) => r.conversationId)).toBe(true);
        return list;
      },
      { timeoutMs: 20_000 },
    );
    const byId = new Map(regs.map((r) => [r.id, r]));
    expect([bySms, byDefault, single].map((r) => byId.get(r.id)!.channel)).toEqual(['sms', null, null]);
    const sentOn = async (registrationId: string, like: string) =>
      (
        await t.db.query(
          `SELECT m.channel_id FROM municipal_event_registration r JOIN message m ON m.conversation_id = r.conversation_id
            WHERE r.id = $1 AND m.kind = 'message' AND m.body LIKE $2`,
          [registrationId, like],
        )
      ).rows.map((x) => x.channel_id);
    expect(await sentOn(bySms.id, '%est confirmée%')).toEqual([town.sms.id]);
    expect(await sentOn(byDefault.id, '%est confirmée%')).toEqual([town.email.id]);
    // The citizen's file is opened on the identity chosen.
    const identities = await t.db.query(`SELECT kind, value FROM contact_identity WHERE contact_id = $1`, [
      byId.get(bySms.id)!.contactId,
    ]);
    expect(identities.rows).toEqual([{ kind: 'phone', value: '+33612345601' }]);
    // The reminder follows the choice.
    const notices = t.app.get(RegistrantNotices);
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * 3600_000))).toBe(3);
    expect(await sentOn(bySms.id, 'Rappel%')).toEqual([town.sms.id]);
    expect(await sentOn(byDefault.id, 'Rappel%')).toEqual([town.email.id]);
    expect(await sentOn(single.id, 'Rappel%')).toEqual([town.email.id]);
  });

  it('reminders go out once per registration and schedule, even run twice at once, never after a cancellation (time travel)', async () => {
    const startsAt = new Date(Date.now() + 5 * 24 * 3600_000);
    const ev = (await create({ startsAt: startsAt.toISOString(), capacity: 20, reminderMinutes: [2880, 120] })).body;
    const regs = [];
    for (let i = 0; i < 4; i++)
      regs.push((await register(ev.id, { email: `rappel${i}@example.fr`, consentReminders: i !== 3 })).body);
    await expectEventually(async () => expect((await registrations(ev.id)).body.every((r) => r.conversationId)).toBe(true), {
      timeoutMs: 20_000,
    });
    await t.http('POST', `/api/v1/public/registrations/${regs[2]!.id}/cancel?token=${regs[2]!.token}`);
    const notices = t.app.get(RegistrantNotices);
    // Nothing is due yet.
    expect(await notices.sendDueReminders(new Date())).toBe(0);
    const at47h = new Date(startsAt.getTime() - 47 * 3600_000);
    const runs = await Promise.all([
      notices.sendDueReminders(at47h),
      notices.sendDueReminders(at47h),
      notices.sendDueReminders(at47h),
    ]);
    // Two registrants consented and still hold their place: two reminders, whichever run sent them.
    expect(runs.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await notices.sendDueReminders(at47h)).toBe(0);
    const reminders = async () =>
      (
        await t.db.query(
          `SELECT r.email, x.minutes, m.body, m.channel_id FROM municipal_event_reminder x
           JOIN municipal_event_registration r ON r.id = x.registration_id JOIN message m ON m.id = x.message_id
           WHERE r.event_id = $1 ORDER BY x.minutes DESC, r.email`,
          [ev.id],
        )
      ).rows;
    expect((await reminders()).map((x) => `${x.email}:${x.minutes}`)).toEqual([
      'rappel0@example.fr:2880',
      'rappel1@example.fr:2880',
    ]);
    expect((await reminders())[0].body).toContain(`Rappel : « Atelier vacances » a lieu le ${when(startsAt)}, `);
    // An hour before: the 2 h reminders; the event's cancellation then stops any further one.
    const at1h = new Date(startsAt.getTime() - 3600_000);
    expect(await notices.sendDueReminders(at1h)).toBe(2);
    expect((await reminders()).filter((x) => x.minutes === 120)).toHaveLength(2);
    const ev2 = (await create({ startsAt: startsAt.toISOString(), capacity: 5 })).body;
    await register(ev2.id, { email: 'annule@example.fr' });
    await expectEventually(async () => expect((await registrations(ev2.id)).body[0]!.conversationId).not.toBeNull(), {
      timeoutMs: 20_000,
    });
    const cancel = await t.http('POST', `/api/v1/events/${ev2.id}/cancel`, {
      token: town.agentSco.token,
      body: { message: 'La séance est annulée pour cause de travaux.' },
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'cancelled', messaged: 1 });
    expect(await notices.sendDueReminders(at47h)).toBe(0);
    const { rows } = await t.db.query(
      `SELECT m.body, m.author_agent_id FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
       WHERE r.event_id = $1 AND m.kind = 'message' AND m.body LIKE 'La séance%'`,
      [ev2.id],
    );
    expect(rows).toEqual([{ body: 'La séance est annulée pour cause de travaux.', author_agent_id: town.agentSco.id }]);
  });

  it('edits refuse fewer places than booked; duplicate makes an unpublished copy; check-in and CSV export for the day', async () => {
    const ev = (await create({ capacity: 3, questions: [{ label: 'Allergies' }] })).body;
    const r = (
      await register(ev.id, {
        name: '=HYPERLINK("x")',
        email: 'zoe@example.fr',
        places: 2,
        answers: { allergies: 'arachide; lait' },
      })
    ).body;
    const shrink = await t.http('PATCH', `/api/v1/events/${ev.id}`, { token: town.agentSco.token, body: { capacity: 1 } });
    expect(shrink.status).toBe(409);
    expect(shrink.body.message).toContain('2 places sont déjà réservées');
    const grow = await t.http('PATCH', `/api/v1/events/${ev.id}`, {
      token: town.agentSco.token,
      body: { capacity: 5, published: false },
    });
    expect(grow.body).toMatchObject({ capacity: 5, published: false, availablePlaces: 3 });
    // Unpublished a moment after a registration read it: the next one reads it again (no stale copy).
    expect((await register(ev.id, { name: 'Léo Tardif', email: 'leo@example.fr' })).status).toBe(404);
    const copy = await t.http('POST', `/api/v1/events/${ev.id}/duplicate`, {
      token: town.agentSco.token,
      body: { startsAt: inDays(17) },
    });
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({ title: ev.title, published: false, bookedPlaces: 0, capacity: 5 });
    const checkIn = await t.http('POST', `/api/v1/events/${ev.id}/registrations/${r.id}/check-in`, {
      token: town.agentSco.token,
      body: { present: true },
    });
    expect(checkIn.status).toBe(200);
    expect(checkIn.body.checkedInAt).toEqual(expect.any(String));
    const csv = await t.http<string>('GET', `/api/v1/events/${ev.id}/registrations.csv`, { token: town.agentSco.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Nom;E-mail;Téléphone;Places;Statut;Position;Présent;Arrivé à;Inscrit le;Allergies');
    // A formula is written as text; a cell with the separator is quoted.
    expect(lines[1]).toMatch(
      /^"'=HYPERLINK\(""x""\)";zoe@example\.fr;;2;confirmée;;oui;[0-9T:.Z-]+;[0-9T:.Z-]+;"arachide; lait"$/,
    );
  });

  it('the XLSX export has French headers and typed columns: places as numbers, dates in Paris time, presence as a boolean', async () => {
    const ev = (await create({ title: 'Tournoi de ping-pong', questions: [{ label: 'Taille de t-shirt' }] })).body;
    const a = (
      await register(ev.id, { name: 'Léo Girard', email: 'leo@example.fr', places: 2, answers: { 'taille-de-t-shirt': 'M' } })
    ).body;
    await register(ev.id, { name: 'Maëlle Roy', phone: '06 12 34 56 78' });
    const checkIn = await t.http<RegistrationDto>('POST', `/api/v1/events/${ev.id}/registrations/${a.id}/check-in`, {
      token: town.agentSco.token,
      body: { present: true },
    });
    const res = await fetch(`${t.url}/api/v1/events/${ev.id}/registrations.xlsx`, {
      headers: { authorization: `Bearer ${town.agentSco.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toContain('inscrits-tournoi-de-ping-pong.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Inscrits')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Nom',
      'E-mail',
      'Téléphone',
      'Places',
      'Statut',
      'Position',
      'Présent',
      'Arrivé à',
      'Inscrit le',
      'Taille de t-shirt',
    ]);
    const leo = sheet.getRow(2);
    expect(leo.getCell(1).value).toBe('Léo Girard');
    expect(leo.getCell(4).value).toBe(2);
    expect(leo.getCell(5).value).toBe('confirmée');
    expect(leo.getCell(7).value).toBe(true);
    const arrived = leo.getCell(8).value as Date;
    expect(arrived).toBeInstanceOf(Date);
    expect(leo.getCell(8).numFmt).toBe('dd/mm/yyyy hh:mm');
    // The cell holds the wall-clock time in Paris: a spreadsheet has no time zone.
    const paris = new Date(checkIn.body.checkedInAt!).toLocaleString('fr-FR', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
    });
    expect(arrived.toISOString().slice(11, 16)).toBe(paris);
    expect(leo.getCell(10).value).toBe('M');
    const maelle = sheet.getRow(3);
    expect(maelle.getCell(3).value).toBe('+33612345678');
    expect(maelle.getCell(7).value).toBe(false);
    expect(maelle.getCell(8).value).toBeNull();
    expect(sheet.rowCount).toBe(3);
    // Other services' agents get no list.
    const other = await fetch(`${t.url}/api/v1/events/${ev.id}/registrations.xlsx`, {
      headers: { authorization: `Bearer ${town.agentEC.token}` },
    });
    expect(other.status).toBe(403);
  });

  it('the citizen file lists their registrations (their services’ events for agents); a contact merge moves them and its undo brings them back', async () => {
    const ev = (await create({ title: 'Atelier cerf-volant' })).body;
    const first = (await register(ev.id, { name: 'Nora Haddad', email: 'nora.haddad@example.fr' })).body;
    const ev2 = (await create({ title: 'Sortie au musée' })).body;
    const second = (await register(ev2.id, { name: 'Nora Haddad', email: 'nora.h@example.net' })).body;
    const linked = (eventId: string, id: string) =>
      expectEventually(
        async () => {
          const x = (await registrations(eventId)).body.find((r) => r.id === id)!;
          expect(x.contactId).not.toBeNull();
          return x;
        },
        { timeoutMs: 20_000 },
      );
    const a = await linked(ev.id, first.id);
    const b = await linked(ev2.id, second.id);
    expect(a.contactId).not.toBe(b.contactId);
    const file = (contactId: string, token = town.supervisor.token) =>
      t.http<ContactRegistrationDto[]>('GET', `/api/v1/contacts/${contactId}/event-registrations`, { token });
    const mine = await file(a.contactId!, town.agentSco.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject([
      { id: first.id, status: 'confirmed', places: 1, event: { id: ev.id, title: 'Atelier cerf-volant', cancelled: false } },
    ]);
    // An agent of another service does not see registrations to Scolarité's events.
    expect((await file(a.contactId!, town.agentEC.token)).body).toEqual([]);

    const proposed = await t.http('POST', `/api/v1/contacts/${a.contactId}/merges`, {
      token: town.supervisor.token,
      body: { otherContactId: b.contactId, reason: 'Même mère, deux adresses' },
    });
    expect(proposed.status).toBe(201);
    // Confirmed by someone other than its author (four eyes, issue 16).
    expect((await t.http('POST', `/api/v1/contact-merges/${proposed.body.id}/confirm`, { token: town.admin.token })).status).toBe(
      200,
    );
    const merged = await file(a.contactId!);
    expect(merged.body.map((r) => r.id).sort()).toEqual([first.id, second.id].sort());
    expect((await file(b.contactId!)).body).toEqual([]);
    const audit = await t.db.query(`SELECT data FROM audit_event WHERE action = 'contact.merged' AND contact_id = $1`, [
      a.contactId,
    ]);
    expect(audit.rows[0].data.registrations).toBe(1);

    expect(
      (await t.http('POST', `/api/v1/contact-merges/${proposed.body.id}/undo`, { token: town.supervisor.token })).status,
    ).toBe(200);
    expect((await file(a.contactId!)).body.map((r) => r.id)).toEqual([first.id]);
    expect((await file(b.contactId!)).body.map((r) => r.id)).toEqual([second.id]);
  });

  it('200 citizens at the same moment for the last 10 places: exactly 10 confirmed, the rest waitlisted or refused, none lost', async () => {
    const ev = (await create({ capacity: 50, waitlistCapacity: 60, maxPlacesPerRegistration: 1 })).body;
    // 40 places taken beforehand: 10 left.
    await Promise.all(Array.from({ length: 40 }, (_, i) => register(ev.id, { email: `avant${i}@example.fr` })));
    expect((await t.http('GET', `/api/v1/public/events/${ev.id}`)).body.availablePlaces).toBe(10);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => register(ev.id, { email: `ruee${i}@example.fr` })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const created = answers.filter((a) => a.status === 201);
    const confirmed = created.filter((a) => a.body.status === 'confirmed');
    const waitlisted = created.filter((a) => a.body.status === 'waitlisted');
    expect(confirmed).toHaveLength(10);
    expect(waitlisted).toHaveLength(60);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(130);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.message).toContain('complet');
    // Positions 1..60, each once.
    expect(waitlisted.map((a) => a.body.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // None lost: every 201 is a row with the status it answered, and the counters match the rows.
    const regs = (await registrations(ev.id)).body;
    expect(regs.filter((r) => r.status === 'confirmed')).toHaveLength(50);
    expect(regs.filter((r) => r.status === 'waitlisted')).toHaveLength(60);
    const byId = new Map(regs.map((r) => [r.id, r.status]));
    for (const a of created) expect(byId.get(a.body.id)).toBe(a.body.status);
    const { rows } = await t.db.query(`SELECT booked_places, waitlisted_places FROM municipal_event WHERE id = $1`, [ev.id]);
    expect(rows[0]).toEqual({ booked_places: 50, waitlisted_places: 60 });
  });

  it('the same per-connection quota as the request form', async () => {
    const ev = (await create({ capacity: 100 })).body;
    const same = { 'x-forwarded-for': '10.9.9.9' };
    const answers = [];
    for (let i = 0; i < 22; i++)
      answers.push(
        await t.http('POST', `/api/v1/public/events/${ev.id}/registrations`, {
          body: { name: 'Robot', email: `quota${i}@example.fr` },
          headers: same,
        }),
      );
    expect(answers.slice(0, 20).every((a) => a.status === 201)).toBe(true);
    expect(answers[20]!.status).toBe(429);
    expect(answers[20]!.body.message).toContain('trop de demandes');
  });
});
