import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blobs are shared by content (sha256): before a blob file is removed — on a failed request's
 * path, or by the daily sweep of orphan files — the attachments are searched for its sha256.
 */
export class AttachmentBlobIndex1764500000009 implements MigrationInterface {
  name = 'AttachmentBlobIndex1764500000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS attachment_sha256_idx ON attachment (sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS attachment_sha256_idx`);
  }
}
