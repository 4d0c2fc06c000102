import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of the ingest (issue 11, item 2): guichet_ingest() commits a batch of messages in
 * one autocommit statement (group commit), so the durable listeners' jobs cannot be enqueued by
 * TypeScript inside that transaction. The same statement inserts one row here per stored message
 * (the ids of its `message.received` and `conversation.created`/`.updated` events); a relay
 * (modules/ingest/ingest-outbox.relay.ts) turns rows into durable jobs and deletes them in one
 * transaction, so each event reaches each durable listener exactly once (with the receipts).
 *
 * The receipts of durable listeners get an index on their date, for the purge that bounds them.
 */
export class IngestOutbox1764710000001 implements MigrationInterface {
  name = 'IngestOutbox1764710000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS domain_event_outbox (
        id uuid PRIMARY KEY,
        conversation_event_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        conversation_id uuid NOT NULL,
        message_id uuid NOT NULL,
        new_conversation boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS domain_event_outbox_created_at ON domain_event_outbox (created_at, id)`);
    await q.query(`CREATE INDEX IF NOT EXISTS domain_event_receipt_handled_at ON domain_event_receipt (handled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS domain_event_receipt_handled_at`);
    await q.query(`DROP TABLE IF EXISTS domain_event_outbox`);
  }
}
