import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channel and identity kinds are validated by the API (zod schemas from libs/contracts), not by
 * CHECK lists that would need a migration for every new channel. CHECKs that are not lists of
 * channels (status, role, direction…) stay.
 */
export class ChannelKindsUnchecked1764600000411 implements MigrationInterface {
  name = 'ChannelKindsUnchecked1764600000411';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE channel DROP CONSTRAINT IF EXISTS channel_kind_check`);
    await q.query(`ALTER TABLE contact_identity DROP CONSTRAINT IF EXISTS contact_identity_kind_check`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE channel ADD CONSTRAINT channel_kind_check CHECK (kind IN ('email', 'sms', 'whatsapp', 'voice', 'messenger', 'instagram', 'webform', 'pbx'))`,
    );
    await q.query(
      `ALTER TABLE contact_identity ADD CONSTRAINT contact_identity_kind_check CHECK (kind IN ('email', 'phone', 'whatsapp', 'messenger', 'instagram'))`,
    );
  }
}
