import type {
  MunicipalEventDto,
  PublicEventDto,
  PublicRegistrationCreated,
  PublicRegistrationDto,
  RegistrationDto,
} from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { MunicipalEventRepository } from '../../src/modules/municipal-events/municipal-event.repository';
import { RegistrantNotices, when } from '../../src/modules/municipal-events/registrant-notices.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Issue 17, second round: reminders sent a batch at a time (once, never to an opted-out identity,
 * nothing lost when the batch fails), an event's change of date or place told to every
 * registrant, booking lead times, a cancelled event's registrants, check-in in the audit log.
 */
describe('municipal events: reminders in batches, changes, lead times, cancelled events, check-in audit', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let counter = 0;
  const ip = () => ({ 'x-forwarded-for': `10.7.${Math.floor(++counter / 250)}.${counter % 250}` });
  // Whole minutes: the dates compared below are the ones the API stores.
  const at = (ms: number) => new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000);

  const create = (body: Record<string, unknown>) =>
    t.http<MunicipalEventDto & { message?: string }>('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier vacances',
        place: 'Médiathèque, 1 place de la Mairie',
        startsAt: at(10 * DAY).toISOString(),
        capacity: 10,
        published: true,
        ...body,
      },
    });
  const patch = (id: string, body: Record<string, unknown>) =>
    t.http<MunicipalEventDto & { message?: string }>('PATCH', `/api/v1/events/${id}`, { token: town.agentSco.token, body });
  const register = (eventId: string, body: Record<string, unknown>) =>
    t.http<PublicRegistrationCreated & { message?: string }>('POST', `/api/v1/public/events/${eventId}/registrations`, {
      body: { name: 'Inès Morel', places: 1, consentReminders: true, ...body },
      headers: ip(),
    });
  const registrations = (eventId: string) =>
    t.http<RegistrationDto[]>('GET', `/api/v1/events/${eventId}/registrations`, { token: town.agentSco.token });
  /** Every registration of the event linked to its citizen's file (their notice jobs ran). */
  const filed = (eventId: string, n: number) =>
    expectEventually(
      async () => {
        const list = (await registrations(eventId)).body;
        expect(list.filter((r) => r.conversationId)).toHaveLength(n);
        return list;
      },
      { timeoutMs: 20_000 },
    );
  const optOut = (phone: string) =>
    t.db.query(`UPDATE contact_identity SET opted_out_at = now() WHERE organization_id = $1 AND kind = 'phone' AND value = $2`, [
      town.org.id,
      phone,
    ]);
  /** The town hall's messages of one kind (`meta.municipalEvent` key) to the registrants of an event. */
  const sent = async (eventId: string, key: 'reminder' | 'eventChanged') =>
    (
      await t.db.query(
        `SELECT r.email, r.phone, m.body, m.author_agent_id, m.channel_id, m.conversation_id
           FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
          WHERE r.event_id = $1 AND m.kind = 'message' AND m.meta->'municipalEvent' ? $2
          ORDER BY r.seq, m.created_at`,
        [eventId, key],
      )
    ).rows;

  beforeAll(async () => {
    t = await startTestApp({ publicRequestsPerHour: 1000 });
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('reminders go out a batch at a time: each once over several batches, none to an opted-out phone, none lost when a batch fails', async () => {
    const startsAt = at(5 * DAY);
    const ev = (await create({ startsAt: startsAt.toISOString(), capacity: 20, reminderMinutes: [2880] })).body;
    for (let i = 0; i < 3; i++) expect((await register(ev.id, { email: `lot${i}@example.fr` })).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await register(ev.id, { phone: `06 12 34 56 0${i}` })).status).toBe(201);
    await filed(ev.id, 5);
    // The second SMS registrant answered STOP: no reminder by SMS, their only channel.
    await optOut('+33612345601');
    const notices = t.app.get(RegistrantNotices);
    const repo = t.app.get(MunicipalEventRepository);
    const at47h = new Date(startsAt.getTime() - 47 * HOUR);

    // A batch that fails after writing its messages leaves nothing: no claim, no message, no job.
    const failing = jest.spyOn(repo, 'setReminderMessages').mockRejectedValueOnce(new Error('connexion perdue'));
    await expect(notices.sendDueReminders(at47h, 2)).rejects.toThrow('connexion perdue');
    failing.mockRestore();
    expect(await sent(ev.id, 'reminder')).toEqual([]);
    const claims = async () =>
      (
        await t.db.query(
          `SELECT x.minutes, x.message_id, r.email, r.phone FROM municipal_event_reminder x
             JOIN municipal_event_registration r ON r.id = x.registration_id WHERE r.event_id = $1 ORDER BY r.seq`,
          [ev.id],
        )
      ).rows;
    expect(await claims()).toEqual([]);

    // Batches of two: the five claimed, four written to (the opted-out one claimed without a message).
    expect(await notices.sendDueReminders(at47h, 2)).toBe(5);
    expect(await notices.sendDueReminders(at47h, 2)).toBe(0);
    const rows = await claims();
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.message_id !== null)).toEqual([true, true, true, true, false]);
    const reminders = await sent(ev.id, 'reminder');
    expect(reminders.map((r) => r.email ?? r.phone)).toEqual([
      'lot0@example.fr',
      'lot1@example.fr',
      'lot2@example.fr',
      '+33612345600',
    ]);
    expect(reminders.map((r) => r.channel_id)).toEqual([town.email.id, town.email.id, town.email.id, town.sms.id]);
    for (const r of reminders) {
      // The start's date and time (the sweep ran an hour late: no « 48 h », no time left that a late send would falsify).
      expect(r.body).toContain(`Rappel : « Atelier vacances » a lieu le ${when(startsAt)}, `);
      expect(r.body).not.toMatch(/dans \d/);
      expect(r.author_agent_id).toBeNull();
    }
    // Each conversation shows the reminder as its latest activity, and each message went to the outbound queue.
    const { rows: files } = await t.db.query(`SELECT snippet, last_channel_kind FROM conversation WHERE id = ANY($1::uuid[])`, [
      reminders.map((r) => r.conversation_id),
    ]);
    expect(files).toHaveLength(4);
    for (const f of files) expect(f.snippet).toContain('Rappel');
    const { rows: jobs } = await t.db.query(
      `SELECT data->>'messageId' AS id FROM pgboss.job WHERE name = 'outbound-send' AND data->>'messageId' IN
         (SELECT x.message_id::text FROM municipal_event_reminder x JOIN municipal_event_registration r ON r.id = x.registration_id
           WHERE r.event_id = $1)`,
      [ev.id],
    );
    expect(jobs).toHaveLength(4);
  });

  it('a change of date, time or place is told once to every registrant and waiting-list person, old and new values in French; reminders follow the new date', async () => {
    const startsAt = at(5 * DAY);
    const ev = (
      await create({
        startsAt: startsAt.toISOString(),
        place: 'Médiathèque',
        capacity: 1,
        waitlistCapacity: 5,
        reminderMinutes: [2880],
      })
    ).body;
    expect((await register(ev.id, { name: 'Alice Martin', email: 'alice@example.fr' })).body.status).toBe('confirmed');
    expect((await register(ev.id, { name: 'Bruno Petit', email: 'bruno@example.fr' })).body.status).toBe('waitlisted');
    expect((await register(ev.id, { name: 'Chloé Roux', phone: '06 22 33 44 55' })).body.status).toBe('waitlisted');
    await filed(ev.id, 3);
    await optOut('+33622334455');
    const notices = t.app.get(RegistrantNotices);
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * HOUR))).toBe(1);

    // A new title is no change of date or place: nobody is written to.
    expect((await patch(ev.id, { title: 'Atelier vacances d’été' })).status).toBe(200);
    expect(await sent(ev.id, 'eventChanged')).toEqual([]);

    const moved = new Date(startsAt.getTime() + 3 * DAY);
    const res = await patch(ev.id, { startsAt: moved.toISOString(), place: 'Salle des fêtes, 2 rue Haute' });
    expect(res.status).toBe(200);
    const told = await sent(ev.id, 'eventChanged');
    expect(told.map((m) => m.email)).toEqual(['alice@example.fr', 'bruno@example.fr']);
    for (const m of told) {
      expect(m.author_agent_id).toBeNull();
      expect(m.channel_id).toBe(town.email.id);
      expect(m.body).toContain('changement pour « Atelier vacances d’été »');
      expect(m.body).toContain(`Date et heure : ${when(moved)}, au lieu de ${when(startsAt)}.`);
      expect(m.body).toContain('Lieu : Salle des fêtes, 2 rue Haute, au lieu de Médiathèque.');
      expect(m.body).toContain(`/evenements/${town.org.slug}/inscription/`);
    }
    expect(told[0]!.body).toMatch(/^Bonjour Alice Martin, .*Votre inscription reste valable/);
    expect(told[1]!.body).toContain('Votre place sur la liste d’attente reste valable');
    const { rows: audit } = await t.db.query(
      `SELECT data FROM audit_event WHERE action = 'municipal_event.updated' AND data->>'id' = $1 AND data ? 'changeNotice'`,
      [ev.id],
    );
    expect(audit.map((a) => a.data.changeNotice)).toEqual([{ sent: 2, unreachable: 1 }]);

    // The same values again change nothing: no second notice.
    expect((await patch(ev.id, { startsAt: moved.toISOString(), place: 'Salle des fêtes, 2 rue Haute' })).status).toBe(200);
    expect(await sent(ev.id, 'eventChanged')).toHaveLength(2);
    // Only the end: told too (the date and time line), once more.
    expect((await patch(ev.id, { endsAt: new Date(moved.getTime() + 2 * HOUR).toISOString() })).status).toBe(200);
    const third = await sent(ev.id, 'eventChanged');
    expect(third).toHaveLength(4);
    expect(third[1]!.body).toContain(`(fin : ${when(new Date(moved.getTime() + 2 * HOUR))})`);

    // The 48 h reminder was for the old date: it goes out again 48 h before the new one, once.
    expect(await notices.sendDueReminders(new Date(startsAt.getTime() - 47 * HOUR))).toBe(0);
    expect(await notices.sendDueReminders(new Date(moved.getTime() - 47 * HOUR))).toBe(1);
    expect(await notices.sendDueReminders(new Date(moved.getTime() - 47 * HOUR))).toBe(0);
    expect(await sent(ev.id, 'reminder')).toHaveLength(2);
  });

  it('booking lead times: registrations open N days and close N hours before the start, refused in French outside, shown to citizens', async () => {
    const bad = await create({ bookingOpensDaysBefore: 1, bookingClosesHoursBefore: 30 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('les inscriptions doivent ouvrir avant de fermer');

    const startsAt = at(10 * DAY);
    const early = (await create({ startsAt: startsAt.toISOString(), bookingOpensDaysBefore: 5 })).body;
    expect(early).toMatchObject({ bookingOpensDaysBefore: 5, bookingClosesHoursBefore: null });
    const pub = await t.http<PublicEventDto>('GET', `/api/v1/public/events/${early.id}`);
    expect(pub.body).toMatchObject({
      open: false,
      bookingOpensAt: new Date(startsAt.getTime() - 5 * DAY).toISOString(),
      cancelCutoffHours: 4,
    });
    const tooEarly = await register(early.id, { email: 'tot@example.fr' });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body.message).toMatch(/^les inscriptions ouvrent le .+ \(5 jours avant le début\)$/);

    // A closing lead time the opening one leaves no room for, given alone on an edit: refused.
    const clash = await patch(early.id, { bookingClosesHoursBefore: 200 });
    expect(clash.status).toBe(400);
    expect(JSON.stringify(clash.body)).toContain('les inscriptions doivent ouvrir avant de fermer');
    expect((await patch(early.id, { bookingOpensDaysBefore: null, bookingClosesHoursBefore: 200 })).status).toBe(200);
    expect((await register(early.id, { email: 'tot@example.fr' })).status).toBe(201);

    const soon = at(HOUR);
    const late = (await create({ startsAt: soon.toISOString(), bookingClosesHoursBefore: 2, cancelCutoffHours: 0 })).body;
    const tooLate = await register(late.id, { email: 'tard@example.fr' });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.message).toMatch(
      /^les inscriptions sont closes depuis le .+ \(2 h avant le début\) : contactez le service Scolarité$/,
    );
    expect((await t.http<PublicEventDto>('GET', `/api/v1/public/events/${late.id}`)).body).toMatchObject({
      open: false,
      bookingClosesAt: new Date(soon.getTime() - 2 * HOUR).toISOString(),
    });
    // The event pages say when registrations close and until when a citizen may cancel.
    const page = await t.http<string>('GET', `/evenements/${town.org.slug}/${late.id}`);
    expect(page.body).toContain('Les inscriptions sont closes depuis le');
    const open = (await create({ bookingClosesHoursBefore: 2, cancelCutoffHours: 6 })).body;
    const openPage = await t.http<string>('GET', `/evenements/${town.org.slug}/${open.id}`);
    expect(openPage.body).toContain('Inscriptions jusqu’au');
    expect(openPage.body).toContain('Annulation en ligne possible jusqu’à 6 h avant le début.');
    // A copy keeps the lead times.
    const copy = await t.http<MunicipalEventDto>('POST', `/api/v1/events/${open.id}/duplicate`, {
      token: town.agentSco.token,
      body: {},
    });
    expect(copy.body).toMatchObject({ bookingClosesHoursBefore: 2, bookingOpensDaysBefore: null });
  });

  it('a cancelled event takes no check-in, promotion nor cancellation of a registration (409 saying why); check-in and its undo are audited', async () => {
    const ev = (await create({ capacity: 1, waitlistCapacity: 2, promotion: 'manual' })).body;
    const alice = (await register(ev.id, { name: 'Alice Martin', email: 'alice.audit@example.fr' })).body;
    const bruno = (await register(ev.id, { name: 'Bruno Petit', email: 'bruno.audit@example.fr' })).body;
    const [a] = await filed(ev.id, 2);
    const checkIn = (present: boolean, id = alice.id) =>
      t.http<RegistrationDto & { message?: string }>('POST', `/api/v1/events/${ev.id}/registrations/${id}/check-in`, {
        token: town.agentSco.token,
        body: { present },
      });
    expect((await checkIn(true)).status).toBe(200);
    expect((await checkIn(true)).status).toBe(200);
    expect((await checkIn(false)).status).toBe(200);
    const { rows } = await t.db.query(
      `SELECT action, agent_id, contact_id, conversation_id, data FROM audit_event
        WHERE action IN ('municipal_event.checked_in', 'municipal_event.check_in_undone') AND data->>'eventId' = $1 ORDER BY id`,
      [ev.id],
    );
    // Twice present is one change.
    expect(rows).toEqual([
      {
        action: 'municipal_event.checked_in',
        agent_id: town.agentSco.id,
        contact_id: a!.contactId,
        conversation_id: a!.conversationId,
        data: { eventId: ev.id, title: 'Atelier vacances', registrationId: alice.id, name: 'Alice Martin' },
      },
      expect.objectContaining({ action: 'municipal_event.check_in_undone', contact_id: a!.contactId }),
    ]);

    expect(
      (
        await t.http('POST', `/api/v1/events/${ev.id}/cancel`, {
          token: town.agentSco.token,
          body: { message: 'L’atelier est annulé.' },
        })
      ).status,
    ).toBe(200);
    const why = 'cet événement est annulé : ses inscrits ont été prévenus';
    const refusedCheckIn = await checkIn(true);
    expect(refusedCheckIn.status).toBe(409);
    expect(refusedCheckIn.body.message).toContain(why);
    for (const action of ['promote', 'cancel']) {
      const res = await t.http<{ message: string }>('POST', `/api/v1/events/${ev.id}/registrations/${bruno.id}/${action}`, {
        token: town.agentSco.token,
      });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain(why);
    }
    // The registrations end cancelled by the event: no place held nor waited for, told apart in the export.
    const after = await t.http<MunicipalEventDto>('GET', `/api/v1/events/${ev.id}`, { token: town.agentSco.token });
    expect(after.body).toMatchObject({
      status: 'cancelled',
      cancelledAt: expect.any(String),
      bookedPlaces: 0,
      waitlistedPlaces: 0,
    });
    const ended = (await registrations(ev.id)).body;
    expect(ended.map((r) => [r.name, r.status, r.cancelledBy, r.position])).toEqual([
      ['Alice Martin', 'cancelled', 'event', null],
      ['Bruno Petit', 'cancelled', 'event', null],
    ]);
    const csv = await t.http<string>('GET', `/api/v1/events/${ev.id}/registrations.csv`, { token: town.agentSco.token });
    expect(csv.body.split('\r\n').filter((l) => l.includes('annulée (événement annulé)'))).toHaveLength(2);
    // The citizen's registration says the town cancelled it (API and their page).
    const view = await t.http<PublicRegistrationDto>('GET', `/api/v1/public/registrations/${alice.id}?token=${alice.token}`);
    expect(view.body).toMatchObject({ status: 'cancelled', cancelledBy: 'event', cancellable: false, sessionCancelled: false });
    const own = new URL(alice.manageUrl);
    const page = await t.http<string>('GET', `${own.pathname}${own.search}`);
    expect(page.body).toContain('Inscription annulée par la mairie');
    expect(page.body).toContain('Cet événement est annulé.');
    // Each citizen's timeline says it; the agent's message reached both, so the town hall writes nothing more.
    await expectEventually(
      async () => {
        const { rows: lines } = await t.db.query(
          `SELECT m.kind, m.body FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
            WHERE r.event_id = $1 AND m.created_at > $2::timestamptz ORDER BY r.seq, m.kind`,
          [ev.id, after.body.cancelledAt],
        );
        expect(lines).toEqual([
          { kind: 'event', body: 'Inscription à l’événement « Atelier vacances » annulée : la mairie a annulé l’événement' },
          { kind: 'message', body: 'L’atelier est annulé.' },
          { kind: 'event', body: 'Inscription à l’événement « Atelier vacances » annulée : la mairie a annulé l’événement' },
          { kind: 'message', body: 'L’atelier est annulé.' },
        ]);
      },
      { timeoutMs: 20_000 },
    );
  });

  it('a registrant who answered STOP gets no confirmation nor offer by SMS, and the registrants list says they cannot be reached there', async () => {
    // Registered once (confirmed by SMS), then STOP.
    const first = (await create({ title: 'Forum des associations', capacity: 5 })).body;
    expect((await register(first.id, { name: 'Chloé Roux', phone: '06 12 34 56 10' })).status).toBe(201);
    await filed(first.id, 1);
    await optOut('+33612345610');
    const ev = (await create({ capacity: 1, waitlistCapacity: 2, promotion: 'automatic' })).body;
    expect((await register(ev.id, { name: 'Denis Blanc', email: 'denis.stop@example.fr' })).body.status).toBe('confirmed');
    const chloe = (await register(ev.id, { name: 'Chloé Roux', phone: '06 12 34 56 10' })).body;
    expect(chloe.status).toBe('waitlisted');
    const [denis] = await filed(ev.id, 2);
    // A freed place is offered to her (automatic promotion): her timeline says so, no SMS goes out.
    const freed = await t.http('POST', `/api/v1/events/${ev.id}/registrations/${denis!.id}/cancel`, {
      token: town.agentSco.token,
    });
    expect(freed.status).toBe(200);
    const toChloe = async () =>
      (
        await t.db.query(
          `SELECT m.kind, m.meta->'municipalEvent'->>'notice' AS notice FROM message m
            WHERE m.meta->'municipalEvent'->>'registrationId' = $1 ORDER BY m.created_at, m.kind`,
          [chloe.id],
        )
      ).rows;
    await expectEventually(
      async () =>
        expect(await toChloe()).toEqual([
          { kind: 'event', notice: 'waitlisted' },
          { kind: 'event', notice: 'offered' },
        ]),
      { timeoutMs: 20_000 },
    );
    const list = (await registrations(ev.id)).body;
    expect(list.map((r) => [r.name, r.status, r.cancelledBy, r.phoneOptedOut, r.emailOptedOut])).toEqual([
      ['Denis Blanc', 'cancelled', 'agent', false, false],
      ['Chloé Roux', 'offered', null, true, false],
    ]);
    // Her first registration's confirmation went out before the STOP: the opt-out is what stops them.
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
        WHERE r.event_id = $1 AND m.kind = 'message'`,
      [first.id],
    );
    expect(rows[0].n).toBe(1);
  });
});
