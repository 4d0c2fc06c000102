import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request types (démarches) per service, and the due dates each conversation carries (issue 13):
 * the legal decision date from its type (CRPA L231-1 / L231-4, L114-5) and the service's own
 * response target (Services Publics+). `due_at`, the earlier of the two that still matters, is
 * what the inbox sorts the "overdue" and "due within 48 h" views by, from an index (no Sort node).
 */
export class RequestTypes1764770000000 implements MigrationInterface {
  name = 'RequestTypes1764770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE request_type (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES team(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '',
        decision_regime text NOT NULL CHECK (decision_regime IN ('acceptance', 'rejection', 'none')),
        deadline_amount integer CHECK (deadline_amount BETWEEN 1 AND 366),
        deadline_unit text CHECK (deadline_unit IN ('months', 'calendar_days', 'working_days')),
        documents text[] NOT NULL DEFAULT '{}',
        acknowledgement_exempt boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((deadline_amount IS NULL) = (deadline_unit IS NULL)),
        CHECK (decision_regime = 'none' OR deadline_amount IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX request_type_team_name_key ON request_type (team_id, lower(name))`);
    await q.query(`CREATE INDEX request_type_org_idx ON request_type (organization_id, team_id)`);

    // A service's opening hours (null: the usual town-hall hours) and its response targets per
    // channel kind (missing kinds: the Services Publics+ defaults), see libs/contracts deadlines.ts.
    await q.query(`ALTER TABLE team ADD COLUMN opening_hours jsonb, ADD COLUMN response_targets jsonb NOT NULL DEFAULT '{}'`);

    await q.query(`
      ALTER TABLE conversation
        ADD COLUMN request_type_id uuid REFERENCES request_type(id) ON DELETE SET NULL,
        ADD COLUMN decision_regime text CHECK (decision_regime IN ('acceptance', 'rejection', 'none')),
        ADD COLUMN decision_due_at timestamptz,
        ADD COLUMN response_due_at timestamptz,
        ADD COLUMN documents_requested_at timestamptz,
        ADD COLUMN documents_received_at timestamptz,
        ADD COLUMN due_at timestamptz GENERATED ALWAYS AS (
          LEAST(decision_due_at, CASE WHEN first_response_at IS NULL THEN response_due_at END)
        ) STORED`);
    // The due-date views list files still in progress, earliest first, for the whole organization
    // (managers) or per service; keyset on (due_at, id) like the inbox list on last_message_at.
    await q.query(`
      CREATE INDEX conversation_due_idx ON conversation (organization_id, due_at, id)
        WHERE due_at IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
    await q.query(`
      CREATE INDEX conversation_team_due_idx ON conversation (organization_id, team_id, due_at, id)
        WHERE due_at IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
    await q.query(`
      CREATE INDEX conversation_assignee_due_idx ON conversation (organization_id, assignee_id, due_at, id)
        WHERE due_at IS NOT NULL AND assignee_id IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS conversation_assignee_due_idx`);
    await q.query(`DROP INDEX IF EXISTS conversation_team_due_idx`);
    await q.query(`DROP INDEX IF EXISTS conversation_due_idx`);
    await q.query(`
      ALTER TABLE conversation DROP COLUMN due_at, DROP COLUMN documents_received_at, DROP COLUMN documents_requested_at,
        DROP COLUMN response_due_at, DROP COLUMN decision_due_at, DROP COLUMN decision_regime, DROP COLUMN request_type_id`);
    await q.query(`ALTER TABLE team DROP COLUMN response_targets, DROP COLUMN opening_hours`);
    await q.query(`DROP TABLE IF EXISTS request_type`);
  }
}
