import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16, RGPD art. 18 and 21: a granted limitation or objection, per citizen. One in force per
 * citizen and kind (lifted_at IS NULL); a lifted one stays, with who lifted it and why, so the file
 * shows its history. `conversation_id` is the rights request it answers (the only conversation a
 * message may still go out in while the data is limited).
 */
export class ProcessingRestriction1765109000000 implements MigrationInterface {
  name = 'ProcessingRestriction1765109000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processing_restriction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('limitation', 'objection')),
        conversation_id uuid REFERENCES conversation(id) ON DELETE SET NULL,
        reason text NOT NULL,
        until date,
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        lifted_at timestamptz,
        lifted_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        lift_reason text
      )`);
    await q.query(
      `CREATE UNIQUE INDEX processing_restriction_in_force ON processing_restriction (contact_id, kind) WHERE lifted_at IS NULL`,
    );
    await q.query(`CREATE INDEX processing_restriction_contact ON processing_restriction (contact_id, granted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processing_restriction`);
  }
}
