import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Administration of a town from screens: the organization's identity, opening hours, closures,
 * signature and legal footer and its own outgoing mail; archived services with a public
 * description and contact details; invitation and password-reset links; the mails the
 * organization sent (kept for the admin to read when they only went to the log).
 */
export class Administration1764730000001 implements MigrationInterface {
  name = 'Administration1764730000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE organization
        ADD COLUMN address text NOT NULL DEFAULT '',
        ADD COLUMN phone text NOT NULL DEFAULT '',
        ADD COLUMN email text NOT NULL DEFAULT '',
        ADD COLUMN website text NOT NULL DEFAULT '',
        ADD COLUMN logo_url text NOT NULL DEFAULT '',
        ADD COLUMN siret text NOT NULL DEFAULT '' CHECK (siret ~ '^(\\d{14})?$'),
        ADD COLUMN opening_hours jsonb NOT NULL DEFAULT '{"monday":[],"tuesday":[],"wednesday":[],"thursday":[],"friday":[],"saturday":[],"sunday":[]}',
        ADD COLUMN closures jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN alsace_moselle boolean NOT NULL DEFAULT false,
        ADD COLUMN signature text NOT NULL DEFAULT '',
        ADD COLUMN legal_footer text NOT NULL DEFAULT '',
        ADD COLUMN mail_settings jsonb NOT NULL DEFAULT '{"mode":"log"}',
        ADD COLUMN mail_secret text`);
    await q.query(`
      ALTER TABLE team
        ADD COLUMN archived_at timestamptz,
        ADD COLUMN description text,
        ADD COLUMN contact jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE agent_token (
        token_hash bytea PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX agent_token_agent_idx ON agent_token (agent_id)`);
    await q.query(`
      CREATE TABLE organization_mail (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        to_address text NOT NULL,
        subject text NOT NULL,
        body text,
        status text NOT NULL CHECK (status IN ('logged', 'sent')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX organization_mail_org_idx ON organization_mail (organization_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE organization_mail`);
    await q.query(`DROP TABLE agent_token`);
    await q.query(`ALTER TABLE team DROP COLUMN archived_at, DROP COLUMN description, DROP COLUMN contact`);
    await q.query(`
      ALTER TABLE organization DROP COLUMN address, DROP COLUMN phone, DROP COLUMN email, DROP COLUMN website,
        DROP COLUMN logo_url, DROP COLUMN siret, DROP COLUMN opening_hours, DROP COLUMN closures, DROP COLUMN alsace_moselle,
        DROP COLUMN signature, DROP COLUMN legal_footer, DROP COLUMN mail_settings, DROP COLUMN mail_secret`);
  }
}
