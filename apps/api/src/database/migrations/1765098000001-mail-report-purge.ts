import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery reports a mailbox received about nothing Guichet sent (mailbox_event of kind
 * 'unmatched-bounce' or 'delivery-report') keep the report's raw source and its diagnostic, which
 * name the recipient: the retention run removes them once older than the organization's
 * quarantine period (quarantine_retention_days, 30 days by default), as it does the quarantined
 * mails, and a citizen's erasure removes those naming one of their addresses. This index is the
 * run's look-up (older than the period), beside the channel activity's (channel, date).
 */
export class MailReportPurge1765098000001 implements MigrationInterface {
  name = 'MailReportPurge1765098000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX mailbox_event_report_created_idx ON mailbox_event (organization_id, created_at)
        WHERE kind IN ('unmatched-bounce', 'delivery-report')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX mailbox_event_report_created_idx`);
  }
}
