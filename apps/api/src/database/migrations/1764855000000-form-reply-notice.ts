import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21 item 5: how the citizen of a web form request hears of an agent's reply (a short
 * message with the tracking link, or the reply itself by e-mail), per organization.
 */
export class FormReplyNotice1764855000000 implements MigrationInterface {
  name = 'FormReplyNotice1764855000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN form_reply_notice text NOT NULL DEFAULT 'link'
      CHECK (form_reply_notice IN ('link', 'full'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN form_reply_notice`);
  }
}
