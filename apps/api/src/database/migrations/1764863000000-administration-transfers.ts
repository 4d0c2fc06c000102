import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CRPA L114-2 (issue 13): requests forwarded to the competent administration. The agent's note
 * is not kept here: it is in the file's timeline (a line of the thread), which retention
 * anonymizes with the rest of the file.
 */
export class AdministrationTransfers1764863000000 implements MigrationInterface {
  name = 'AdministrationTransfers1764863000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE administration_transfer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        administration_name text NOT NULL CHECK (length(administration_name) BETWEEN 2 AND 200),
        administration_email text NOT NULL CHECK (length(administration_email) BETWEEN 3 AND 254),
        agent_id uuid REFERENCES agent(id) ON DELETE SET NULL,
        citizen_message_id uuid NOT NULL REFERENCES message(id) ON DELETE CASCADE,
        event_message_id uuid NOT NULL REFERENCES message(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX administration_transfer_conversation_idx ON administration_transfer (conversation_id)`);
    // The directory an organization builds as it transfers: the administrations it already wrote to.
    await q.query(
      `CREATE INDEX administration_transfer_directory_idx ON administration_transfer (organization_id, lower(administration_email))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE administration_transfer`);
  }
}
