import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Labels (étiquettes) per organization, set on conversations by agents and by routing rules
 * (issues 13 and 21). A conversation's labels come with every read of it (a subquery on the
 * primary key of `conversation_label`); the inbox filter by label starts from a label's files
 * (`conversation_label_label_idx`).
 */
export class Labels1764820000000 implements MigrationInterface {
  name = 'Labels1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE label (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
        color text NOT NULL CHECK (color ~ '^#[0-9a-f]{6}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX label_org_name_key ON label (organization_id, lower(name))`);
    await q.query(`
      CREATE TABLE conversation_label (
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        label_id uuid NOT NULL REFERENCES label(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, label_id)
      )`);
    await q.query(`CREATE INDEX conversation_label_label_idx ON conversation_label (label_id, conversation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS conversation_label`);
    await q.query(`DROP TABLE IF EXISTS label`);
  }
}
