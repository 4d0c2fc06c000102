import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Canned replies (réponses types, issue 13): per organization, or per service of it. */
export class CannedReplies1764852000000 implements MigrationInterface {
  name = 'CannedReplies1764852000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE canned_reply (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid REFERENCES team(id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX canned_reply_organization_team_idx ON canned_reply (organization_id, team_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE canned_reply`);
  }
}
