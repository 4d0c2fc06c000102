import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: booking lead times, as Publik's agendas have them. Registrations open this many days
 * before an event's start and close this many hours before it, whatever its date becomes (a moved
 * event keeps its lead times); null: no such limit. The absolute dates (booking_opens_at,
 * booking_closes_at) stay: the later opening and the earlier closing apply.
 */
export class EventBookingLeadTimes1765090000000 implements MigrationInterface {
  name = 'EventBookingLeadTimes1765090000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event
      ADD COLUMN booking_opens_days_before int CHECK (booking_opens_days_before BETWEEN 1 AND 365),
      ADD COLUMN booking_closes_hours_before int CHECK (booking_closes_hours_before BETWEEN 0 AND 720)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event DROP COLUMN IF EXISTS booking_opens_days_before,
      DROP COLUMN IF EXISTS booking_closes_hours_before`);
  }
}
