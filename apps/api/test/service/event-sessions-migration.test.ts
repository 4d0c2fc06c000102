import { DataSource } from 'typeorm';
import { migrate } from '../../src/app.factory';
import { dataSourceOptions } from '../../src/database/data-source';
import { createTestDatabase } from '../harness';

/**
 * Issue 17's migrations of this round, down then up on real PostgreSQL: who cancelled a
 * registration (the registrations of events already cancelled end cancelled by the event), and
 * the sessions (every event becomes its one session, with its registrations and counters). Going
 * back refuses while an event has several sessions, rather than lose registrations.
 */
describe('migrations: registration cancelled_by, event sessions (down and up)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource(dataSourceOptions(await createTestDatabase(), 2));
    await ds.initialize();
  });
  afterAll(() => ds?.destroy());

  const columns = async (table: string) =>
    (
      await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name`, [table])
    ).map((r: { column_name: string }) => r.column_name);

  /** Undoes the migrations run last until the last one left is older than `timestamp`. */
  const downTo = async (timestamp: number) => {
    for (;;) {
      const [last] = await ds.query(`SELECT timestamp FROM migrations ORDER BY timestamp DESC LIMIT 1`);
      if (Number(last.timestamp) < timestamp) return;
      await ds.undoLastMigration({ transaction: 'each' });
    }
  };

  it('goes down to the schema without sessions, and up again with each event its one session', async () => {
    const names = ds.migrations.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['RegistrationCancelledBy1765097000000', 'EventSessions1765097000001']));
    await downTo(1765097000000);
    expect(await columns('municipal_event_registration')).not.toContain('session_id');
    expect(await columns('municipal_event_registration')).not.toContain('cancelled_by');
    expect(await columns('municipal_event_session')).toEqual([]);

    // Data of the old schema: an event with a confirmed and a waitlisted registration, and a
    // cancelled event whose registration was left confirmed.
    const [org] = await ds.query(`INSERT INTO organization (name, slug) VALUES ('Ville', 'ville-mig') RETURNING id`);
    const [team] = await ds.query(
      `INSERT INTO team (organization_id, slug, name) VALUES ($1, 'jeunesse', 'Jeunesse') RETURNING id`,
      [org.id],
    );
    const event = async (title: string, cancelled: boolean, booked: number, waiting: number) =>
      (
        await ds.query(
          `INSERT INTO municipal_event (organization_id, team_id, title, place, starts_at, ends_at, capacity, waitlist_capacity,
                                        booked_places, waitlisted_places, cancelled_at)
           VALUES ($1, $2, $3, 'Salle', now() + interval '3 days', now() + interval '3 days 2 hours', 5, 2, $4, $5,
                   CASE WHEN $6 THEN now() END) RETURNING id`,
          [org.id, team.id, title, booked, waiting, cancelled],
        )
      )[0].id as string;
    const open = await event('Atelier', false, 1, 1);
    const gone = await event('Concert', true, 2, 0);
    const register = (eventId: string, email: string, status: string, places = 1) =>
      ds.query(
        `INSERT INTO municipal_event_registration (organization_id, event_id, name, email, places, status)
         VALUES ($1, $2, 'Inscrit', $3, $4, $5)`,
        [org.id, eventId, email, places, status],
      );
    await register(open, 'a@example.fr', 'confirmed');
    await register(open, 'b@example.fr', 'waitlisted');
    await register(gone, 'c@example.fr', 'confirmed', 2);

    await migrate(ds);
    const sessions = await ds.query(
      `SELECT event_id, starts_at = (SELECT starts_at FROM municipal_event e WHERE e.id = s.event_id) AS same_start,
              capacity, waitlist_capacity, booked_places, waitlisted_places
         FROM municipal_event_session s ORDER BY capacity, event_id`,
    );
    expect(sessions).toHaveLength(2);
    expect(sessions.find((s: { event_id: string }) => s.event_id === open)).toEqual({
      event_id: open,
      same_start: true,
      capacity: 5,
      waitlist_capacity: 2,
      booked_places: 1,
      waitlisted_places: 1,
    });
    // The cancelled event's registration ended cancelled by it, and it holds no place any more.
    expect(sessions.find((s: { event_id: string }) => s.event_id === gone)).toMatchObject({ booked_places: 0 });
    const regs = await ds.query(
      `SELECT r.email, r.status, r.cancelled_by, r.session_id = r.event_id AS own_session
         FROM municipal_event_registration r ORDER BY r.email`,
    );
    expect(regs).toEqual([
      { email: 'a@example.fr', status: 'confirmed', cancelled_by: null, own_session: true },
      { email: 'b@example.fr', status: 'waitlisted', cancelled_by: null, own_session: true },
      { email: 'c@example.fr', status: 'cancelled', cancelled_by: 'event', own_session: true },
    ]);
    const [counters] = await ds.query(`SELECT booked_places, waitlisted_places FROM municipal_event WHERE id = $1`, [gone]);
    expect(counters).toEqual({ booked_places: 0, waitlisted_places: 0 });

    // One registration per e-mail per session now: the same address may register to another session.
    const [other] = await ds.query(
      `INSERT INTO municipal_event_session (organization_id, event_id, starts_at, capacity) VALUES ($1, $2, now() + interval '4 days', 5)
       RETURNING id`,
      [org.id, open],
    );
    await ds.query(
      `INSERT INTO municipal_event_registration (organization_id, event_id, session_id, name, email, places, status)
       VALUES ($1, $2, $3, 'Inscrit', 'a@example.fr', 1, 'confirmed')`,
      [org.id, open, other.id],
    );
    // The schema without sessions cannot hold that: going back says so and changes nothing.
    await downTo(1765097000002);
    await expect(ds.undoLastMigration({ transaction: 'each' })).rejects.toThrow('have several sessions');
    expect(await columns('municipal_event_registration')).toContain('session_id');
  });
});
