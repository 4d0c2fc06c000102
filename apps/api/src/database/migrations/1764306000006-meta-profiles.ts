import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Meta channels (issue 6): the citizen's profile picture and when the Graph profile of an
 * identity was looked up (once), and the index that threads page comments per commenter and post.
 */
export class MetaProfiles1764306000006 implements MigrationInterface {
  name = 'MetaProfiles1764306000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contact ADD COLUMN IF NOT EXISTS avatar_url text`);
    await q.query(`ALTER TABLE contact_identity ADD COLUMN IF NOT EXISTS profile_fetched_at timestamptz`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS message_meta_thread_key_idx ON message (channel_id, (meta->>'threadKey'), created_at DESC)
        WHERE meta->>'threadKey' IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS message_meta_thread_key_idx`);
    await q.query(`ALTER TABLE contact_identity DROP COLUMN IF EXISTS profile_fetched_at`);
    await q.query(`ALTER TABLE contact DROP COLUMN IF EXISTS avatar_url`);
  }
}
