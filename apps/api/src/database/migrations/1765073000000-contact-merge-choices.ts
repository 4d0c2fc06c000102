import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact merge choices (issue 16): the supervisor chooses the name the kept file bears and the
 * identities it keeps. `kept_name` is the name the merge gave the kept file (an undo restores
 * `target_previous_name` only while the file still bears it: a later rename is kept);
 * `dropped_identities` holds the identity rows the merge removed, whole, so an undo puts them back
 * exactly (same ids: the conversations' `identity_ids` find them again).
 */
export class ContactMergeChoices1765073000000 implements MigrationInterface {
  name = 'ContactMergeChoices1765073000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE contact_merge ADD COLUMN kept_name text, ADD COLUMN dropped_identities jsonb NOT NULL DEFAULT '[]'`,
    );
    // Merges confirmed before: the kept file took the absorbed one's name only when it had none.
    await q.query(
      `UPDATE contact_merge SET kept_name = coalesce(target_previous_name, source_name) WHERE status IN ('merged', 'undone')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contact_merge DROP COLUMN kept_name, DROP COLUMN dropped_identities`);
  }
}
