import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: several sessions per event (a school-holiday workshop on three afternoons). Each
 * session has its dates, its places and waiting list, and counts them (`booked_places`,
 * `waitlisted_places`) under the same CHECK constraints the event had, so "never more
 * registrations than places" holds per session whatever the code does. A registration is for one
 * session; one active registration per e-mail and per phone per session (a parent registers the
 * same child to each afternoon). The event keeps its dates and counters as the summary of its
 * sessions not cancelled (first start, last end, sums): an event of one session reads exactly as
 * before. Every existing event becomes its one session, with its registrations.
 *
 * `down` goes back only while no event has more than one session (the old schema cannot hold
 * them): it says so rather than lose registrations.
 */
export class EventSessions1765097000001 implements MigrationInterface {
  name = 'EventSessions1765097000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE municipal_event_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES municipal_event(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        capacity int NOT NULL CHECK (capacity >= 1),
        waitlist_capacity int NOT NULL DEFAULT 0 CHECK (waitlist_capacity >= 0),
        booked_places int NOT NULL DEFAULT 0,
        waitlisted_places int NOT NULL DEFAULT 0,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT municipal_event_session_places_check CHECK (booked_places BETWEEN 0 AND capacity),
        CONSTRAINT municipal_event_session_waitlist_check CHECK (waitlisted_places BETWEEN 0 AND waitlist_capacity),
        CONSTRAINT municipal_event_session_dates_check CHECK (ends_at IS NULL OR ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX municipal_event_session_event_idx ON municipal_event_session (event_id, starts_at)`);
    await q.query(
      `CREATE INDEX municipal_event_session_starts_idx ON municipal_event_session (starts_at) WHERE cancelled_at IS NULL`,
    );
    // The session of each existing event: its dates and places. An event's id is its first session's.
    await q.query(`
      INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity,
                                           booked_places, waitlisted_places, created_at)
      SELECT id, organization_id, id, starts_at, CASE WHEN ends_at > starts_at THEN ends_at END, capacity, waitlist_capacity,
             booked_places, waitlisted_places, created_at
        FROM municipal_event`);
    await q.query(`ALTER TABLE municipal_event_registration
      ADD COLUMN session_id uuid REFERENCES municipal_event_session(id) ON DELETE CASCADE`);
    await q.query(`UPDATE municipal_event_registration SET session_id = event_id`);
    await q.query(`ALTER TABLE municipal_event_registration ALTER COLUMN session_id SET NOT NULL`);
    await q.query(`DROP INDEX municipal_event_registration_email_key`);
    await q.query(`DROP INDEX municipal_event_registration_phone_key`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_email_key ON municipal_event_registration (session_id, email)
      WHERE email IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_phone_key ON municipal_event_registration (session_id, phone)
      WHERE phone IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(
      `CREATE INDEX municipal_event_registration_session_idx ON municipal_event_registration (session_id, status, seq)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const [several] = await q.query(
      `SELECT count(*)::int AS n FROM (SELECT event_id FROM municipal_event_session GROUP BY event_id HAVING count(*) > 1) x`,
    );
    if (several.n > 0)
      throw new Error(
        `${several.n} event(s) have several sessions: the schema without sessions cannot hold them (cancel or delete their extra sessions first)`,
      );
    await q.query(`DROP INDEX IF EXISTS municipal_event_registration_session_idx`);
    await q.query(`DROP INDEX municipal_event_registration_email_key`);
    await q.query(`DROP INDEX municipal_event_registration_phone_key`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_email_key ON municipal_event_registration (event_id, email)
      WHERE email IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_phone_key ON municipal_event_registration (event_id, phone)
      WHERE phone IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`ALTER TABLE municipal_event_registration DROP COLUMN session_id`);
    await q.query(`DROP TABLE municipal_event_session`);
  }
}
