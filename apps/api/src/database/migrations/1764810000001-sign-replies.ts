import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * L111-2: whether the organization's replies carry the agent's identity (signature template in
 * `organization.signature`, the agent's role and "sign with the service only" on `agent`). Off
 * for organizations that exist before this migration, until an admin has checked the template
 * and the agents their roles; the first-run setup and the demo turn it on.
 */
export class SignReplies1764810000001 implements MigrationInterface {
  name = 'SignReplies1764810000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN sign_replies boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN sign_replies`);
  }
}
