import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A row of the webhook inbox stored by an instance that processes it at once from memory
 * carries a lease (`lease_until`): the other drainers leave it until then, so that the
 * inbound → agent path costs the INSERT's commit and the ingest's, without taking the row back
 * from the table. An instance that dies leaves its leased rows to the others once it ends.
 */
export class WebhookInboxLease1765095000001 implements MigrationInterface {
  name = 'WebhookInboxLease1765095000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_inbox ADD COLUMN lease_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_inbox DROP COLUMN lease_until`);
  }
}
