import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Nothing vanishes in silence (issue 14): the mail a mailbox's first connection leaves behind
 * because it is older than the channel's import limit, and a mail the IMAP server returns without
 * its source, are recorded in the channel's activity too.
 */
export class MailboxEventLeftInMailbox1764850000000 implements MigrationInterface {
  name = 'MailboxEventLeftInMailbox1764850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_event DROP CONSTRAINT mailbox_event_kind_check`);
    await q.query(`ALTER TABLE mailbox_event ADD CONSTRAINT mailbox_event_kind_check
      CHECK (kind IN ('duplicate', 'unmatched-bounce', 'delivery-report', 'older-than-limit', 'no-source'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM mailbox_event WHERE kind IN ('older-than-limit', 'no-source')`);
    await q.query(`ALTER TABLE mailbox_event DROP CONSTRAINT mailbox_event_kind_check`);
    await q.query(`ALTER TABLE mailbox_event ADD CONSTRAINT mailbox_event_kind_check
      CHECK (kind IN ('duplicate', 'unmatched-bounce', 'delivery-report'))`);
  }
}
