import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Nothing vanishes in silence (issue 14): every mail the watcher reads and does not import nor
 * quarantine leaves a row here with its reason, in the channel's activity that admins see — a
 * repeated mail (same Message-ID and same content), a bounce that matches no message Guichet
 * sent (its raw source kept), a delivery report that changes nothing.
 */
export class MailboxEvent1764600014000 implements MigrationInterface {
  name = 'MailboxEvent1764600014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailbox_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channel(id) ON DELETE CASCADE,
        folder text NOT NULL,
        uid bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('duplicate', 'unmatched-bounce', 'delivery-report')),
        external_id text,
        reason text NOT NULL,
        raw bytea,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mailbox_event_channel_idx ON mailbox_event (channel_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mailbox_event`);
  }
}
