import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: how a registrant who gave both an e-mail address and a phone number chose to be told
 * — by e-mail or by SMS (their confirmation, the waiting list's news, reminders, the town's
 * messages). Null: no choice (registrations until now, or one identity given), e-mail first as
 * before. `down` drops the column: everyone is told by e-mail first again.
 */
export class RegistrationChannel1765103000000 implements MigrationInterface {
  name = 'RegistrationChannel1765103000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event_registration ADD COLUMN channel text CHECK (channel IN ('email', 'sms'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipal_event_registration DROP COLUMN IF EXISTS channel`);
  }
}
