import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RGPD (issue 16, first slice): retention rules per organization, service and request type; the
 * anonymization and legal-hold marks a conversation carries; how long the audit itself is kept.
 *
 * A rule with no service is the organization's default; a rule with a request type names its
 * service too. The most specific rule of a conversation applies (type, then service, then default).
 */
export class Privacy1764840000000 implements MigrationInterface {
  name = 'Privacy1764840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retention_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid REFERENCES team(id) ON DELETE CASCADE,
        request_type_id uuid REFERENCES request_type(id) ON DELETE CASCADE,
        duration_days integer NOT NULL CHECK (duration_days BETWEEN 1 AND 36600),
        legal_basis text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 500),
        purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
        action text NOT NULL DEFAULT 'anonymize' CHECK (action IN ('anonymize', 'delete')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (request_type_id IS NULL OR team_id IS NOT NULL),
        UNIQUE NULLS NOT DISTINCT (organization_id, team_id, request_type_id)
      )`);
    await q.query(
      `ALTER TABLE organization ADD COLUMN audit_retention_months integer NOT NULL DEFAULT 12 CHECK (audit_retention_months BETWEEN 1 AND 120)`,
    );
    await q.query(`
      ALTER TABLE conversation
        ADD COLUMN anonymized_at timestamptz,
        ADD COLUMN legal_hold_reason text CHECK (length(legal_hold_reason) BETWEEN 1 AND 500),
        ADD COLUMN legal_hold_at timestamptz,
        ADD COLUMN legal_hold_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        ADD CHECK ((legal_hold_at IS NULL) = (legal_hold_reason IS NULL))`);
    // The retention run walks the finished, not yet anonymized conversations by resolution date.
    await q.query(`
      CREATE INDEX conversation_retention_idx ON conversation (resolved_at)
       WHERE anonymized_at IS NULL AND status IN ('resolved', 'closed')`);
    // The audit viewer filters by agent and period.
    await q.query(`CREATE INDEX audit_event_agent_idx ON audit_event (organization_id, agent_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_event_agent_idx`);
    await q.query(`DROP INDEX conversation_retention_idx`);
    await q.query(`
      ALTER TABLE conversation DROP COLUMN anonymized_at, DROP COLUMN legal_hold_reason, DROP COLUMN legal_hold_at,
        DROP COLUMN legal_hold_by`);
    await q.query(`ALTER TABLE organization DROP COLUMN audit_retention_months`);
    await q.query(`DROP TABLE retention_rule`);
  }
}
