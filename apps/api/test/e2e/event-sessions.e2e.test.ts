import type {
  ContactRegistrationDto,
  MunicipalEventDto,
  PublicEventDto,
  PublicRegistrationCreated,
  PublicRegistrationDto,
  RegistrationDto,
} from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { RegistrantNotices, when } from '../../src/modules/municipal-events/registrant-notices.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Issue 17: several sessions per event (a school-holiday workshop on three afternoons). Each
 * session has its places and waiting list; a registration is for one session; reminders, lead
 * times, changes, promotion, exports and the citizen's page follow the session. An event of one
 * session behaves as before (the other event tests).
 */
describe('municipal events: several sessions', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let counter = 0;
  const ip = () => ({ 'x-forwarded-for': `10.8.${Math.floor(++counter / 250)}.${counter % 250}` });
  // Whole minutes: the dates compared below are the ones the API stores.
  const at = (ms: number) => new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000);

  const create = (body: Record<string, unknown>) =>
    t.http<MunicipalEventDto & { message?: string }>('POST', '/api/v1/events', {
      token: town.agentSco.token,
      body: {
        teamId: town.scolarite.id,
        title: 'Atelier des vacances',
        place: 'Centre de loisirs, 3 rue des Écoles',
        startsAt: at(10 * DAY).toISOString(),
        endsAt: at(10 * DAY + 3 * HOUR).toISOString(),
        capacity: 3,
        waitlistCapacity: 1,
        maxPlacesPerRegistration: 2,
        published: true,
        ...body,
      },
    });
  const addSession = (id: string, body: Record<string, unknown>) =>
    t.http<MunicipalEventDto & { message?: string }>('POST', `/api/v1/events/${id}/sessions`, {
      token: town.agentSco.token,
      body,
    });
  /** The workshop on three afternoons, 10, 11 and 12 days from now, 3 places and 1 on the waiting list each. */
  const workshop = async (body: Record<string, unknown> = {}) => {
    const ev = (await create(body)).body;
    for (const d of [11, 12]) {
      const res = await addSession(ev.id, {
        startsAt: at(d * DAY).toISOString(),
        endsAt: at(d * DAY + 3 * HOUR).toISOString(),
        capacity: 3,
        waitlistCapacity: 1,
      });
      expect(res.status).toBe(201);
    }
    const full = (await t.http<MunicipalEventDto>('GET', `/api/v1/events/${ev.id}`, { token: town.agentSco.token })).body;
    return { ev: full, sessions: full.sessions.map((s) => s.id) };
  };
  const register = (eventId: string, body: Record<string, unknown>) =>
    t.http<PublicRegistrationCreated & { message?: string; details?: string[] }>(
      'POST',
      `/api/v1/public/events/${eventId}/registrations`,
      { body: { name: 'Inès Morel', places: 1, consentReminders: true, ...body }, headers: ip() },
    );
  const registrations = (eventId: string, query = '') =>
    t.http<RegistrationDto[]>('GET', `/api/v1/events/${eventId}/registrations${query}`, { token: town.agentSco.token });
  const filed = (eventId: string, n: number) =>
    expectEventually(
      async () => {
        const list = (await registrations(eventId)).body;
        expect(list.filter((r) => r.conversationId)).toHaveLength(n);
        return list;
      },
      { timeoutMs: 20_000 },
    );

  beforeAll(async () => {
    t = await startTestApp({ publicRequestsPerHour: 1000 });
    town = await seedTown(t);
  });
  afterAll(() => t.close());

  it('an event gets sessions; citizens see each with its places and must name one; one registration per e-mail per session', async () => {
    const { ev, sessions } = await workshop();
    expect(ev.sessions.map((s) => [s.capacity, s.waitlistCapacity, s.bookedPlaces])).toEqual([
      [3, 1, 0],
      [3, 1, 0],
      [3, 1, 0],
    ]);
    // The event sums its sessions up: first start, last end, all their places.
    expect(ev).toMatchObject({ capacity: 9, waitlistCapacity: 3, availablePlaces: 9, startsAt: ev.sessions[0]!.startsAt });
    expect(ev.endsAt).toBe(ev.sessions[2]!.endsAt);

    const missing = await register(ev.id, { email: 'sans.seance@example.fr' });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([expect.stringContaining('sessionId: cet événement a 3 séances')]);
    const unknown = await register(ev.id, { email: 'sans.seance@example.fr', sessionId: town.org.id });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual(['sessionId: séance inconnue pour cet événement']);

    // The same parent registers for the first two afternoons, not twice for the same one.
    const first = await register(ev.id, { email: 'parent@example.fr', sessionId: sessions[0], places: 2 });
    const second = await register(ev.id, { email: 'parent@example.fr', sessionId: sessions[1] });
    expect([first.status, second.status]).toEqual([201, 201]);
    const twice = await register(ev.id, { email: 'parent@example.fr', sessionId: sessions[0] });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toContain('déjà inscrite à cette séance');

    const pub = (await t.http<PublicEventDto>('GET', `/api/v1/public/events/${ev.id}`)).body;
    expect(pub.sessions.map((s) => [s.availablePlaces, s.waitlistAvailable, s.open])).toEqual([
      [1, 1, true],
      [2, 1, true],
      [3, 1, true],
    ]);
    expect(pub.availablePlaces).toBe(6);
    // The registration page shows its session's date.
    const view = await t.http<PublicRegistrationDto>(
      'GET',
      `/api/v1/public/registrations/${second.body.id}?token=${second.body.token}`,
    );
    expect(view.body.event.startsAt).toBe(ev.sessions[1]!.startsAt);
    const list = (await registrations(ev.id, `?sessionId=${sessions[0]}`)).body;
    expect(list.map((r) => [r.email, r.sessionId, r.places])).toEqual([['parent@example.fr', sessions[0], 2]]);
    // The event's dates and places are its sessions': changed there, not on the event.
    const patch = await t.http('PATCH', `/api/v1/events/${ev.id}`, { token: town.agentSco.token, body: { capacity: 30 } });
    expect(patch.status).toBe(400);
    expect(patch.body.message).toContain('cet événement a 3 séances');
  });

  it('40 citizens at once for two sessions of 3 places and 1 on the waiting list: exactly that many each, none lost', async () => {
    const { ev, sessions } = await workshop();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => register(ev.id, { email: `ruee${i}@example.fr`, sessionId: sessions[i % 2] })),
    );
    expect(answers.filter((a) => a.status !== 201 && a.status !== 409)).toEqual([]);
    for (const [k, sessionId] of sessions.slice(0, 2).entries()) {
      const mine = answers.filter((_, i) => i % 2 === k && answers[i]!.status === 201);
      expect(mine.filter((a) => a.body.status === 'confirmed')).toHaveLength(3);
      expect(mine.filter((a) => a.body.status === 'waitlisted').map((a) => a.body.position)).toEqual([1]);
      const rows = (await registrations(ev.id, `?sessionId=${sessionId}`)).body;
      expect(rows.map((r) => r.status).sort()).toEqual(['confirmed', 'confirmed', 'confirmed', 'waitlisted']);
      const byId = new Map(rows.map((r) => [r.id, r.status]));
      for (const a of mine) expect(byId.get(a.body.id)).toBe(a.body.status);
    }
    expect(answers.filter((a) => a.status === 409)).toHaveLength(32);
    const { rows } = await t.db.query(
      `SELECT s.booked_places, s.waitlisted_places FROM municipal_event_session s WHERE s.event_id = $1 ORDER BY s.starts_at`,
      [ev.id],
    );
    expect(rows).toEqual([
      { booked_places: 3, waitlisted_places: 1 },
      { booked_places: 3, waitlisted_places: 1 },
      { booked_places: 0, waitlisted_places: 0 },
    ]);
    const sum = await t.db.query(`SELECT booked_places, waitlisted_places FROM municipal_event WHERE id = $1`, [ev.id]);
    expect(sum.rows[0]).toEqual({ booked_places: 6, waitlisted_places: 2 });
  });

  it('per session: a freed place goes to its own waiting list, its change of date is told to its registrants, its reminders follow its date', async () => {
    const { ev, sessions } = await workshop({ reminderMinutes: [2880] });
    const regs: Record<string, PublicRegistrationCreated> = {};
    for (const [name, s] of [
      ['a1', 0],
      ['a2', 0],
      ['a3', 0],
      ['a4', 0],
      ['b1', 1],
      ['b2', 1],
      ['b3', 1],
      ['b4', 1],
    ] as const)
      regs[name] = (await register(ev.id, { name, email: `${name}@example.fr`, sessionId: sessions[s] })).body;
    expect([regs.a4!.status, regs.b4!.status]).toEqual(['waitlisted', 'waitlisted']);
    await filed(ev.id, 8);
    // a1 cancels: a4 (the first session's waiting list) is offered the place, b4 still waits.
    const cancelled = await t.http('POST', `/api/v1/public/registrations/${regs.a1!.id}/cancel?token=${regs.a1!.token}`);
    expect(cancelled.status).toBe(200);
    const status = async () => new Map((await registrations(ev.id)).body.map((r) => [r.name, r.status]));
    expect(Object.fromEntries(await status())).toMatchObject({ a1: 'cancelled', a4: 'offered', b4: 'waitlisted' });

    // The second afternoon moves an hour later: its registrants are told, the first's are not.
    const moved = new Date(Date.parse(ev.sessions[1]!.startsAt) + HOUR);
    const res = await t.http<MunicipalEventDto>('PATCH', `/api/v1/events/${ev.id}/sessions/${sessions[1]}`, {
      token: town.agentSco.token,
      body: { startsAt: moved.toISOString(), endsAt: new Date(moved.getTime() + 3 * HOUR).toISOString() },
    });
    expect(res.status).toBe(200);
    expect(res.body.sessions[1]!.startsAt).toBe(moved.toISOString());
    const { rows: changes } = await t.db.query(
      `SELECT r.name FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
        WHERE r.event_id = $1 AND m.meta->'municipalEvent' ? 'eventChanged' ORDER BY r.seq`,
      [ev.id],
    );
    expect(changes.map((c) => c.name)).toEqual(['b1', 'b2', 'b3', 'b4']);

    // 47 h before the second afternoon (22 h before the first): the confirmed registrants of both get
    // their 48 h reminder, each with the real time left before their own session.
    const notices = t.app.get(RegistrantNotices);
    // (The other tests' workshops are due too: only this event's reminders are counted.)
    await notices.sendDueReminders(new Date(moved.getTime() - 47 * HOUR));
    const { rows: reminders } = await t.db.query(
      `SELECT r.name, m.body FROM municipal_event_reminder x JOIN municipal_event_registration r ON r.id = x.registration_id
         JOIN message m ON m.id = x.message_id WHERE r.event_id = $1 ORDER BY r.seq`,
      [ev.id],
    );
    expect(reminders.map((x) => x.name)).toEqual(['a2', 'a3', 'b1', 'b2', 'b3']);
    // Each says its own session's start (the second's as moved).
    expect(reminders[0].body).toContain(`a lieu le ${when(new Date(ev.sessions[0]!.startsAt))}, `);
    expect(reminders[2].body).toContain(`a lieu le ${when(moved)}, `);
  });

  it('a session is cancelled with a message to its registrants only; the last one left is not; the export names each one’s session', async () => {
    const { ev, sessions } = await workshop();
    await register(ev.id, { name: 'Alice', email: 'alice.s@example.fr', sessionId: sessions[0] });
    const bruno = await register(ev.id, { name: 'Bruno', email: 'bruno.s@example.fr', sessionId: sessions[2] });
    await filed(ev.id, 2);
    const cancel = (sessionId: string) =>
      t.http<MunicipalEventDto & { messaged: number; message?: string }>(
        'POST',
        `/api/v1/events/${ev.id}/sessions/${sessionId}/cancel`,
        { token: town.agentSco.token, body: { message: 'La séance du jeudi est annulée (salle indisponible).' } },
      );
    const res = await cancel(sessions[2]!);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ messaged: 1, status: 'scheduled', capacity: 6 });
    expect(res.body.sessions[2]!.cancelledAt).toEqual(expect.any(String));
    const list = (await registrations(ev.id)).body;
    expect(list.map((r) => [r.name, r.status, r.cancelledBy])).toEqual([
      ['Alice', 'confirmed', null],
      ['Bruno', 'cancelled', 'event'],
    ]);
    // Bruno's own page says his session is cancelled, not the whole event.
    const view = await t.http<PublicRegistrationDto>(
      'GET',
      `/api/v1/public/registrations/${bruno.body.id}?token=${bruno.body.token}`,
    );
    expect(view.body).toMatchObject({ status: 'cancelled', cancelledBy: 'event', sessionCancelled: true });
    const own = new URL(bruno.body.manageUrl);
    const page = await t.http<string>('GET', `${own.pathname}${own.search}`);
    expect(page.body).toContain('Cette séance est annulée.');
    expect(page.body).not.toContain('Cet événement est annulé.');
    // The agent's citizen file says the same of Bruno's registration; Alice's is not cancelled.
    const file = async (id: string) =>
      (
        await t.http<ContactRegistrationDto[]>(
          'GET',
          `/api/v1/contacts/${list.find((r) => r.id === id)!.contactId}/event-registrations`,
          {
            token: town.agentSco.token,
          },
        )
      ).body.find((r) => r.id === id)!.event;
    expect(await file(bruno.body.id)).toMatchObject({ cancelled: true, sessionCancelled: true });
    expect(await file(list[0]!.id)).toMatchObject({ cancelled: false, sessionCancelled: false });
    // Citizens no longer see it; nobody registers to it.
    const pub = (await t.http<PublicEventDto>('GET', `/api/v1/public/events/${ev.id}`)).body;
    expect(pub.sessions.map((s) => s.id)).toEqual(sessions.slice(0, 2));
    const late = await register(ev.id, { email: 'tard@example.fr', sessionId: sessions[2] });
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('cette séance est annulée');
    await expectEventually(
      async () => {
        const { rows } = await t.db.query(
          `SELECT m.kind, m.body FROM message m JOIN municipal_event_registration r ON r.conversation_id = m.conversation_id
            WHERE r.id = $1 AND (m.kind = 'event' AND m.body LIKE '%annulé%' OR m.body LIKE 'La séance du jeudi%') ORDER BY m.kind`,
          [list[1]!.id],
        );
        expect(rows).toEqual([
          { kind: 'event', body: expect.stringContaining('la mairie a annulé la séance') },
          { kind: 'message', body: 'La séance du jeudi est annulée (salle indisponible).' },
        ]);
      },
      { timeoutMs: 20_000 },
    );
    expect((await cancel(sessions[1]!)).status).toBe(200);
    const last = await cancel(sessions[0]!);
    expect(last.status).toBe(409);
    expect(last.body.message).toContain('dernière séance');

    const csv = await t.http<string>('GET', `/api/v1/events/${ev.id}/registrations.csv`, { token: town.agentSco.token });
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]!.startsWith('Séance;Nom;')).toBe(true);
    expect(lines[1]).toMatch(new RegExp(`^${ev.sessions[0]!.startsAt.replace(/\./g, '\\.')};Alice;`));
    expect(lines[2]).toContain('annulée (événement annulé)');
  });

  it('a duplicate keeps the sessions, moved as the first one is', async () => {
    const { ev } = await workshop();
    const copy = await t.http<MunicipalEventDto>('POST', `/api/v1/events/${ev.id}/duplicate`, {
      token: town.agentSco.token,
      body: { startsAt: new Date(Date.parse(ev.sessions[0]!.startsAt) + 7 * DAY).toISOString() },
    });
    expect(copy.status).toBe(201);
    expect(copy.body.sessions.map((s) => Date.parse(s.startsAt) - 7 * DAY)).toEqual(
      ev.sessions.map((s) => Date.parse(s.startsAt)),
    );
    expect(copy.body).toMatchObject({ published: false, bookedPlaces: 0, capacity: 9 });
  });
});
