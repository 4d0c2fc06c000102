import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Provider webhooks (Twilio SMS/WhatsApp and voice, Meta) are acknowledged once their raw body is
 * stored here, then processed by the inbox's drainers (modules/ingest/webhook-inbox.ts):
 * - `dedupe_key` is the provider's own id of the event (MessageSid, CallSid and step, Meta mids):
 *   a retry while the row waits (or sits failed) inserts nothing;
 * - `order_key` (the sender, the call) keeps the rows of one conversation in arrival order (`id`);
 * - a row is deleted once processed; one the writer refuses stays with `failed_at` and `error`;
 * - `available_at` delays a row after a temporary failure (database away), `attempts` counts them.
 */
export class WebhookInbox1765095000000 implements MigrationInterface {
  name = 'WebhookInbox1765095000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_inbox (
        id bigserial PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES channel(id) ON DELETE CASCADE,
        kind text NOT NULL,
        dedupe_key text NOT NULL,
        order_key text NOT NULL,
        payload text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        available_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        failed_at timestamptz,
        error text,
        CONSTRAINT webhook_inbox_dedupe_key UNIQUE (channel_id, dedupe_key)
      )`);
    await q.query(`CREATE INDEX webhook_inbox_waiting ON webhook_inbox (id) WHERE failed_at IS NULL`);
    await q.query(`CREATE INDEX webhook_inbox_order ON webhook_inbox (order_key, id) WHERE failed_at IS NULL`);
    await q.query(`CREATE INDEX webhook_inbox_failed ON webhook_inbox (failed_at) WHERE failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_inbox`);
  }
}
