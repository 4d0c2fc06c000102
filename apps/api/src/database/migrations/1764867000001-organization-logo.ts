import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The organization's logo, uploaded by an admin: its bytes in the blob store (content-addressed,
 * like attachments), its hash and checked type here. The citizen pages and the agents' header
 * show it; the blob sweep keeps it while a row names it.
 */
export class OrganizationLogo1764867000001 implements MigrationInterface {
  name = 'OrganizationLogo1764867000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organization
        ADD COLUMN logo_sha256 text CHECK (logo_sha256 ~ '^[0-9a-f]{64}$'),
        ADD COLUMN logo_type text CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
        ADD CONSTRAINT organization_logo_whole CHECK ((logo_sha256 IS NULL) = (logo_type IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN logo_sha256, DROP COLUMN logo_type`);
  }
}
