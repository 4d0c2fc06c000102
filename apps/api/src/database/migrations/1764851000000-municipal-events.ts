import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Municipal events with registrations (issue 17). The event row counts the places held
 * (`booked_places`: confirmed and offered registrations) and waiting (`waitlisted_places`); a
 * registration updates them in its transaction under the row's lock, and CHECK constraints make
 * "never more registrations than places" a property of the database, whatever the code does.
 * One active registration per e-mail and per phone per event (partial unique indexes). A
 * reminder is a row keyed by (registration, minutes before): written once, with the message it
 * sends, whatever re-runs.
 */
export class MunicipalEvents1764851000000 implements MigrationInterface {
  name = 'MunicipalEvents1764851000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE municipal_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES team(id) ON DELETE CASCADE,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        place text NOT NULL,
        theme text NOT NULL DEFAULT '',
        audience text NOT NULL DEFAULT '',
        price_info text NOT NULL DEFAULT '',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        capacity int NOT NULL CHECK (capacity >= 1),
        waitlist_capacity int NOT NULL DEFAULT 0 CHECK (waitlist_capacity >= 0),
        max_places int NOT NULL DEFAULT 1 CHECK (max_places >= 1),
        published boolean NOT NULL DEFAULT false,
        cancelled_at timestamptz,
        booking_opens_at timestamptz,
        booking_closes_at timestamptz,
        promotion text NOT NULL DEFAULT 'automatic' CHECK (promotion IN ('automatic', 'manual')),
        confirmation_hours int NOT NULL DEFAULT 48,
        reminder_minutes int[] NOT NULL DEFAULT '{2880,120}',
        questions jsonb NOT NULL DEFAULT '[]',
        booked_places int NOT NULL DEFAULT 0,
        waitlisted_places int NOT NULL DEFAULT 0,
        created_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT municipal_event_places_check CHECK (booked_places BETWEEN 0 AND capacity),
        CONSTRAINT municipal_event_waitlist_check CHECK (waitlisted_places BETWEEN 0 AND waitlist_capacity)
      )`);
    await q.query(`CREATE INDEX municipal_event_org_starts_idx ON municipal_event (organization_id, starts_at)`);
    await q.query(`CREATE INDEX municipal_event_team_starts_idx ON municipal_event (team_id, starts_at)`);
    await q.query(`
      CREATE TABLE municipal_event_registration (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES municipal_event(id) ON DELETE CASCADE,
        name text NOT NULL,
        email text,
        phone text,
        places int NOT NULL CHECK (places >= 1),
        answers jsonb NOT NULL DEFAULT '{}',
        consent_reminders boolean NOT NULL DEFAULT false,
        status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'cancelled', 'expired')),
        offer_expires_at timestamptz,
        checked_in_at timestamptz,
        contact_id uuid REFERENCES contact(id) ON DELETE SET NULL,
        conversation_id uuid REFERENCES conversation(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz,
        -- The notices already written to the citizen's file (registered, cancelled…): each once.
        notified text[] NOT NULL DEFAULT '{}',
        CHECK (email IS NOT NULL OR phone IS NOT NULL)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_email_key ON municipal_event_registration (event_id, email)
      WHERE email IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`
      CREATE UNIQUE INDEX municipal_event_registration_phone_key ON municipal_event_registration (event_id, phone)
      WHERE phone IS NOT NULL AND status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`CREATE INDEX municipal_event_registration_event_idx ON municipal_event_registration (event_id, status, seq)`);
    await q.query(`CREATE INDEX municipal_event_registration_contact_idx ON municipal_event_registration (contact_id)`);
    await q.query(`
      CREATE INDEX municipal_event_registration_offer_idx ON municipal_event_registration (offer_expires_at)
      WHERE status = 'offered'`);
    await q.query(`
      CREATE TABLE municipal_event_reminder (
        registration_id uuid NOT NULL REFERENCES municipal_event_registration(id) ON DELETE CASCADE,
        minutes int NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        message_id uuid,
        PRIMARY KEY (registration_id, minutes)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS municipal_event_reminder`);
    await q.query(`DROP TABLE IF EXISTS municipal_event_registration`);
    await q.query(`DROP TABLE IF EXISTS municipal_event`);
  }
}
