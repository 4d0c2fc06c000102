import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: who cancelled a registration — the citizen (their link), the service (an agent, at
 * the front desk) or the town by cancelling the event — so counts and exports tell them apart
 * (null: cancelled before this column, by the citizen or an agent).
 * Registrations of events already cancelled, left `confirmed` (or waiting, offered) until now,
 * end cancelled by the event, and their events' counters fall to zero (no place is held or waited
 * for at a cancelled event). `down` drops the column; those registrations stay cancelled.
 */
export class RegistrationCancelledBy1765097000000 implements MigrationInterface {
  name = 'RegistrationCancelledBy1765097000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event_registration
      ADD COLUMN cancelled_by text CHECK (cancelled_by IN ('citizen', 'agent', 'event'))`);
    await q.query(`
      UPDATE municipal_event_registration r
         SET status = 'cancelled', cancelled_by = 'event', offer_expires_at = NULL, cancelled_at = e.cancelled_at
        FROM municipal_event e
       WHERE e.id = r.event_id AND e.cancelled_at IS NOT NULL AND r.status IN ('confirmed', 'waitlisted', 'offered')`);
    await q.query(`UPDATE municipal_event SET booked_places = 0, waitlisted_places = 0
                    WHERE cancelled_at IS NOT NULL AND (booked_places <> 0 OR waitlisted_places <> 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event_registration DROP COLUMN IF EXISTS cancelled_by`);
  }
}
