import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { MunicipalEventDto, PublicRegistrationCreated, PublicRegistrationInput } from '@guichet/contracts';
import { expectEventually } from '@guichet/testing';
import { atSession, MunicipalEventRepository } from '../../src/modules/municipal-events/municipal-event.repository';
import { RegistrantNotices } from '../../src/modules/municipal-events/registrant-notices.service';
import { bookingProblem, RegistrationService } from '../../src/modules/municipal-events/registration.service';
import { seedTown, startTestApp, type TestApp } from '../harness';

/**
 * Issue 17: registrations of one event arriving together share one transaction (group commit).
 * Each is answered with its own outcome, in arrival order; what is stored is exactly what was
 * answered; one registration at fault fails alone, and nothing is half-written.
 */
describe('registration groups', () => {
  let t: TestApp;
  let town: Awaited<ReturnType<typeof seedTown>>;
  let registrations: RegistrationService;
  let n = 0;
  const ip = () => `10.4.${Math.floor(++n / 250)}.${n % 250}`;
  const input = (email: string, places = 1): PublicRegistrationInput => ({
    name: 'Inès Morel',
    email,
    places,
    answers: {},
    consentReminders: true,
  });
  const create = async (capacity: number, waitlistCapacity: number) =>
    (
      await t.http<MunicipalEventDto>('POST', '/api/v1/events', {
        token: town.agentSco.token,
        body: {
          teamId: town.scolarite.id,
          title: 'Centre de loisirs',
          place: 'École Jules-Ferry',
          startsAt: new Date(Date.now() + 10 * 24 * 3600_000).toISOString(),
          capacity,
          waitlistCapacity,
          maxPlacesPerRegistration: 3,
          published: true,
        },
      })
    ).body;
  /** Every call settled: its registration, or the French reason of its refusal. */
  const settle = (calls: Promise<PublicRegistrationCreated>[]) =>
    Promise.all(
      calls.map((c) =>
        c.then(
          (r) => ({ ok: r }),
          (e: Error) => ({ refused: e.message }),
        ),
      ),
    );
  const stored = async (eventId: string) =>
    (
      await t.db.query(
        `SELECT r.id, r.status, r.places, r.email, r.xmin::text AS tx,
                CASE WHEN r.status = 'waitlisted' THEN row_number() OVER (PARTITION BY r.status ORDER BY r.seq) END::int AS position
           FROM municipal_event_registration r WHERE r.event_id = $1 ORDER BY r.seq`,
        [eventId],
      )
    ).rows as { id: string; status: string; places: number; email: string; tx: string; position: number | null }[];
  const counters = async (eventId: string) =>
    (
      await t.db.query(`SELECT booked_places AS booked, waitlisted_places AS waiting FROM municipal_event WHERE id = $1`, [
        eventId,
      ])
    ).rows[0];

  beforeAll(async () => {
    t = await startTestApp({ runJobs: false, publicRequestsPerHour: 100_000 });
    town = await seedTown(t);
    registrations = t.app.get(RegistrationService);
  });
  afterAll(() => t.close());

  it('registrations sent together fill the event exactly in arrival order, in shared transactions, each answered with what was stored', async () => {
    const capacity = 20;
    const waitlist = 10;
    const ev = await create(capacity, waitlist);
    // 30 citizens at once asking 1, 2 or 3 places; the 6th repeats the 3rd's e-mail. From one
    // address (a family centre's): their quota is counted together too, so they reach the event's
    // group in the order they were sent.
    const asks = Array.from({ length: 30 }, (_, i) => ({
      email: i === 5 ? 'parent2@example.fr' : `parent${i}@example.fr`,
      places: 1 + (i % 3),
    }));
    const from = ip();
    const answers = await settle(asks.map((a) => registrations.register(ev.id, input(a.email, a.places), from)));

    // The rule, one registration after another in arrival order: a place if it fits and nobody
    // waits, else the waiting list if it fits there, else refused.
    let booked = 0;
    let waiting = 0;
    let position = 0;
    const seen = new Set<string>();
    const expected = asks.map((a) => {
      if (seen.has(a.email)) return 'duplicate';
      if (booked + a.places <= capacity && waiting === 0) {
        booked += a.places;
        seen.add(a.email);
        return 'confirmed';
      }
      if (waiting + a.places <= waitlist) {
        waiting += a.places;
        seen.add(a.email);
        return `waitlisted ${++position}`;
      }
      return 'full';
    });
    expect(
      answers.map((a) =>
        'ok' in a
          ? a.ok.status === 'waitlisted'
            ? `waitlisted ${a.ok.position}`
            : a.ok.status
          : a.refused.includes('déjà inscrite')
            ? 'duplicate'
            : a.refused.includes('complet') || a.refused.includes('il ne reste que')
              ? 'full'
              : a.refused,
      ),
    ).toEqual(expected);
    expect(expected.filter((e) => e === 'full').length).toBeGreaterThan(0);

    // What is stored is what was answered: the same ids, statuses, places and ranks, nothing else.
    const rows = await stored(ev.id);
    const created = answers.flatMap((a, i) => ('ok' in a ? [{ ...a.ok, email: asks[i]!.email }] : []));
    expect(rows.map((r) => [r.id, r.status, r.places, r.email, r.position])).toEqual(
      created.map((c) => [c.id, c.status, c.places, c.email, c.position ?? null]),
    );
    expect(await counters(ev.id)).toEqual({ booked, waiting });
    expect(booked).toBeLessThanOrEqual(capacity);
    // Shared transactions: far fewer than one per registration.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(rows.length / 2);
  });

  it('a group that fails as a whole writes nothing and is run again one by one: only the registration at fault is refused', async () => {
    const ev = await create(5, 5);
    // Another writer holds an uncommitted registration of one citizen's e-mail (without the event's lock).
    const other = new Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(
        `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, places, status)
         VALUES ($1, $2, $2, 'Autre', 'conflit@example.fr', 1, 'waitlisted')`,
        [town.org.id, ev.id],
      );
      const emails = ['a@example.fr', 'b@example.fr', 'conflit@example.fr', 'c@example.fr', 'd@example.fr'];
      const from = ip();
      const pending = settle(emails.map((e) => registrations.register(ev.id, input(e), from)));
      // The group's insert waits on the other writer's row, which then commits: the group's unique index fails.
      await expectEventually(async () => {
        const { rows } = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%municipal_event_register(%'`,
        );
        expect(rows[0].n).toBe(1);
      });
      await other.query('COMMIT');
      const answers = await pending;
      expect(answers.map((a) => ('ok' in a ? a.ok.status : a.refused))).toEqual([
        'confirmed',
        'confirmed',
        'cette adresse e-mail est déjà inscrite à cet événement : utilisez le lien reçu pour voir ou annuler votre inscription',
        'confirmed',
        'confirmed',
      ]);
      const rows = await stored(ev.id);
      expect(rows.map((r) => r.email).sort()).toEqual([
        'a@example.fr',
        'b@example.fr',
        'c@example.fr',
        'conflit@example.fr',
        'd@example.fr',
      ]);
      // Stored as answered (a group formed behind the failed one may commit before its registrations run again).
      expect(
        rows
          .filter((r) => r.email !== 'conflit@example.fr')
          .map((r) => r.id)
          .sort(),
      ).toEqual(answers.flatMap((a) => ('ok' in a ? [a.ok.id] : [])).sort());
      // The other writer's row moved no counter; the four registrations did, once each.
      expect(await counters(ev.id)).toEqual({ booked: 4, waiting: 0 });
    } finally {
      await other.end();
    }
  });

  it('concurrent registrations from one address count against its quota exactly', async () => {
    const ev = await create(100, 0);
    const limit = t.config.publicRequestsPerHour;
    const key = `public:10.5.0.1`;
    // The window already holds all but 5 of its hits.
    await t.db.query(
      `INSERT INTO rate_limit (key, window_start, hits) VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / 3600) * 3600), $2)`,
      [key, limit - 5],
    );
    const answers = await settle(
      Array.from({ length: 12 }, (_, i) => registrations.register(ev.id, input(`quota${i}@example.fr`), '10.5.0.1')),
    );
    expect(answers.filter((a) => 'ok' in a)).toHaveLength(5);
    expect(answers.slice(0, 5).every((a) => 'ok' in a)).toBe(true);
    expect(answers.filter((a) => 'refused' in a && a.refused.includes('trop de demandes'))).toHaveLength(7);
    expect((await t.db.query(`SELECT hits FROM rate_limit WHERE key = $1`, [key])).rows[0].hits).toBe(limit + 7);
  });

  it('under the event’s lock, the group’s statement refuses a session exactly when bookingProblem does (its dates, a cancellation)', async () => {
    const repo = t.app.get(MunicipalEventRepository);
    const jobInsert = await t.app.get(RegistrantNotices).jobInsert();
    // The event starts in 10 days; each case changes it behind the service's back (as an agent's
    // edit committed between a request's checks and its group would).
    const cases = [
      { set: `booking_closes_hours_before = 11 * 24`, late: true },
      { set: `booking_closes_hours_before = 9 * 24`, late: false },
      { set: `booking_opens_days_before = 5`, late: true },
      { set: `booking_opens_days_before = 20`, late: false },
      { set: `booking_closes_at = now() - interval '1 minute', booking_closes_hours_before = 1`, late: true },
      { set: `booking_opens_at = now() + interval '1 hour', booking_opens_days_before = 30`, late: true },
      { set: `booking_opens_at = now() - interval '1 hour', booking_closes_at = now() + interval '1 hour'`, late: false },
      { set: `cancelled_at = now()`, late: true },
      { session: `cancelled_at = now()`, late: true },
      { session: `starts_at = now() - interval '1 minute'`, late: true },
    ];
    const refused: boolean[] = [];
    const expected: boolean[] = [];
    for (const [i, c] of cases.entries()) {
      const ev = await create(5, 5);
      if (c.set) await t.db.query(`UPDATE municipal_event SET ${c.set} WHERE id = $1`, [ev.id]);
      if (c.session) await t.db.query(`UPDATE municipal_event_session SET ${c.session} WHERE event_id = $1`, [ev.id]);
      const e = (await repo.findEvent(null, ev.id))!;
      const session = e.sessions[0]!;
      expected.push(!!(session.cancelled_at ?? bookingProblem(atSession(e, session.id))));
      const group = await repo.registerGroup(
        ev.id,
        town.org.id,
        [
          {
            id: randomUUID(),
            sessionId: session.id,
            name: 'Inès Morel',
            email: `tard${i}@example.fr`,
            phone: null,
            places: 1,
            answers: {},
            consentReminders: true,
            jobs: { confirmed: {}, waitlisted: {} },
          },
        ],
        jobInsert,
      );
      refused.push(group!.outcomes[0]!.status === 'late');
      expect(group!.inserted.size).toBe(refused[i] ? 0 : 1);
    }
    expect(expected).toEqual(cases.map((c) => c.late));
    expect(refused).toEqual(expected);
  });

  it('a group waiting for the event’s lock reads the places the transaction before it left: a place freed meanwhile is given, not the waiting list', async () => {
    const ev = await create(2, 5);
    const from = ip();
    const [first] = await Promise.all([
      registrations.register(ev.id, input('premier@example.fr'), from),
      registrations.register(ev.id, input('second@example.fr'), from),
    ]);
    expect(await counters(ev.id)).toEqual({ booked: 2, waiting: 0 });
    // Another writer holds the event's lock and frees a place, as a cancellation does.
    const other = new Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM municipal_event WHERE id = $1 FOR NO KEY UPDATE`, [ev.id]);
      await other.query(
        `UPDATE municipal_event_registration SET status = 'cancelled', cancelled_by = 'agent', cancelled_at = now() WHERE id = $1`,
        [first.id],
      );
      await other.query(`UPDATE municipal_event_session SET booked_places = booked_places - 1 WHERE event_id = $1`, [ev.id]);
      await other.query(`UPDATE municipal_event SET booked_places = booked_places - 1 WHERE id = $1`, [ev.id]);
      const pending = registrations.register(ev.id, input('troisieme@example.fr'), from);
      await expectEventually(async () => {
        const { rows } = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%municipal_event_register(%'`,
        );
        expect(rows[0].n).toBe(1);
      });
      await other.query('COMMIT');
      const answer = await pending;
      expect(answer.status).toBe('confirmed');
      expect(await counters(ev.id)).toEqual({ booked: 2, waiting: 0 });
      expect((await stored(ev.id)).filter((r) => r.status === 'confirmed').map((r) => r.email)).toEqual([
        'second@example.fr',
        'troisieme@example.fr',
      ]);
    } finally {
      await other.end();
    }
  });
});
