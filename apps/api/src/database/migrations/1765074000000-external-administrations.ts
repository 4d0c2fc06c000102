import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CRPA L114-2 (issue 13): the directory of the administrations a town forwards requests to
 * (préfecture, CAF, département, intercommunalité…), kept by its admins; a transfer names the
 * entry it was sent to (the name and e-mail are copied on it: the entry may change or go since).
 * A transfer withdrawn (the file reopened) records when, so the administration is told once.
 */
export class ExternalAdministrations1765074000000 implements MigrationInterface {
  name = 'ExternalAdministrations1765074000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE external_administration (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('prefecture', 'caf', 'cpam', 'departement', 'region', 'intercommunalite', 'france_travail', 'autre')),
        name text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        address text CHECK (length(address) <= 300),
        phone text CHECK (length(phone) <= 40),
        website text CHECK (length(website) <= 300),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX external_administration_name_idx ON external_administration (organization_id, lower(name))`,
    );
    await q.query(`
      ALTER TABLE administration_transfer
        ADD COLUMN administration_id uuid REFERENCES external_administration(id) ON DELETE SET NULL,
        ADD COLUMN withdrawn_at timestamptz,
        ADD COLUMN withdrawn_by uuid REFERENCES agent(id) ON DELETE SET NULL`);
    await q.query(
      `CREATE INDEX administration_transfer_administration_idx ON administration_transfer (administration_id) WHERE administration_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE administration_transfer
        DROP COLUMN administration_id, DROP COLUMN withdrawn_at, DROP COLUMN withdrawn_by`);
    await q.query(`DROP TABLE external_administration`);
  }
}
