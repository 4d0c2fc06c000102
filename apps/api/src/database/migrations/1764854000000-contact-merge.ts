import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact merge (RGPD and accountability, issue 16): an agent proposes merging two citizen files, a
 * supervisor confirms; the absorbed file's identities and conversations move to the kept one, the
 * absorbed contact stays (empty, `merged_into_id` set) so the audit keeps both ids and the merge
 * can be undone within 30 days with exactly what moved.
 */
export class ContactMerge1764854000000 implements MigrationInterface {
  name = 'ContactMerge1764854000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contact ADD COLUMN merged_into_id uuid REFERENCES contact(id) ON DELETE SET NULL`);
    await q.query(`
      CREATE TABLE contact_merge (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        target_contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        source_contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'rejected', 'merged', 'undone')),
        proposed_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        decided_at timestamptz,
        undone_by uuid REFERENCES agent(id) ON DELETE SET NULL,
        undone_at timestamptz,
        moved_identity_ids uuid[] NOT NULL DEFAULT '{}',
        moved_conversation_ids uuid[] NOT NULL DEFAULT '{}',
        source_name text,
        target_previous_name text,
        CHECK (target_contact_id <> source_contact_id),
        CHECK ((status = 'proposed') = (decided_at IS NULL)),
        CHECK ((status = 'undone') = (undone_at IS NOT NULL))
      )`);
    // One open proposal per pair of files, whichever way round.
    await q.query(`
      CREATE UNIQUE INDEX contact_merge_proposed_uniq ON contact_merge
        (organization_id, least(target_contact_id, source_contact_id), greatest(target_contact_id, source_contact_id))
        WHERE status = 'proposed'`);
    await q.query(`CREATE INDEX contact_merge_target_idx ON contact_merge (target_contact_id)`);
    await q.query(`CREATE INDEX contact_merge_source_idx ON contact_merge (source_contact_id)`);
    await q.query(`CREATE INDEX contact_merge_org_status_idx ON contact_merge (organization_id, status, proposed_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact_merge`);
    await q.query(`ALTER TABLE contact DROP COLUMN merged_into_id`);
  }
}
