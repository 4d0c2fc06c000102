import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email channel: one IMAP sync cursor per (channel, folder), and the quarantine of messages
 * that could not be parsed or stored (raw source kept for an admin's retry or discard).
 */
export class EmailMailbox1764303000003 implements MigrationInterface {
  name = 'EmailMailbox1764303000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailbox_cursor (
        channel_id uuid NOT NULL REFERENCES channel(id) ON DELETE CASCADE,
        folder text NOT NULL,
        uid_validity text NOT NULL,
        highest_uid bigint NOT NULL DEFAULT 0,
        highest_modseq text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel_id, folder)
      )`);
    await q.query(`
      CREATE TABLE quarantine (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channel(id) ON DELETE CASCADE,
        folder text NOT NULL,
        uid bigint NOT NULL,
        raw bytea NOT NULL,
        error text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retried_at timestamptz,
        discarded_at timestamptz
      )`);
    await q.query(`CREATE INDEX quarantine_channel_idx ON quarantine (channel_id, created_at DESC) WHERE discarded_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quarantine`);
    await q.query(`DROP TABLE mailbox_cursor`);
  }
}
