import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rights requests (RGPD art. 15–21, issue 16): a conversation can be a request of its own type
 * (access, rectification, erasure, objection, limitation), answered within one month of receipt,
 * extendable once by two more months (art. 12.3), the citizen being told why.
 */
export class RightsRequests1764854000001 implements MigrationInterface {
  name = 'RightsRequests1764854000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rights_request (
        conversation_id uuid PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'objection', 'limitation')),
        received_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        extended_at timestamptz,
        extension_reason text CHECK (length(extension_reason) BETWEEN 1 AND 1000),
        created_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((extended_at IS NULL) = (extension_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX rights_request_due_idx ON rights_request (organization_id, due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rights_request`);
  }
}
