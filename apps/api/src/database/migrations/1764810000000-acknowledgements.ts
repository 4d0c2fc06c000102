import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Legal acknowledgements sent by Guichet (CRPA L112-3, R112-5, L112-11) and the agent's identity
 * on replies (L111-2), issue 13.
 * - `organization.acknowledgements`: on/off and the saved templates. Off for organizations that
 *   exist before this migration: an acknowledgement without the service's address and phone is
 *   incomplete (L112-6), so an admin turns it on once the services' contacts are filled. The
 *   first-run setup and the demo turn it on.
 * - `team.acknowledgements`: a service may opt out (its requests acknowledged by other means).
 * - `acknowledgement`: what was sent (or deliberately not) for each request, so that a re-run job
 *   never sends twice: at most one registration, one receipt, one decision not to send.
 * - `agent.job_title` (the role L111-2 asks for) and `agent.sign_as_service` (anonymity for safety).
 */
export class Acknowledgements1764810000000 implements MigrationInterface {
  name = 'Acknowledgements1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN acknowledgements jsonb NOT NULL DEFAULT '{"enabled": false}'`);
    await q.query(`ALTER TABLE team ADD COLUMN acknowledgements boolean NOT NULL DEFAULT true`);
    await q.query(`
      ALTER TABLE agent
        ADD COLUMN job_title text NOT NULL DEFAULT '',
        ADD COLUMN sign_as_service boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE acknowledgement (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('registration', 'receipt', 'correction', 'skipped')),
        reason text,
        message_id uuid REFERENCES message(id) ON DELETE SET NULL,
        request_type_id uuid REFERENCES request_type(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX acknowledgement_once ON acknowledgement (conversation_id, kind) WHERE kind <> 'correction'`,
    );
    await q.query(`CREATE INDEX acknowledgement_conversation ON acknowledgement (conversation_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE acknowledgement`);
    await q.query(`ALTER TABLE agent DROP COLUMN sign_as_service, DROP COLUMN job_title`);
    await q.query(`ALTER TABLE team DROP COLUMN acknowledgements`);
    await q.query(`ALTER TABLE organization DROP COLUMN acknowledgements`);
  }
}
