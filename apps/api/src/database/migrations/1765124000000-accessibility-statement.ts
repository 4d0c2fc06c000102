import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: the organization's RGAA accessibility statement (accessibilityStatementSchema: level,
 * audit, non-accessible contents, dates, plans, contact), set by its admins. NULL until then: the
 * public page says « non conforme, aucun audit ».
 */
export class AccessibilityStatement1765124000000 implements MigrationInterface {
  name = 'AccessibilityStatement1765124000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization ADD COLUMN accessibility_statement jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organization DROP COLUMN accessibility_statement`);
  }
}
