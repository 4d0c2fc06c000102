import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: a démarche's own accusés de réception (« Demande d'acte de naissance »: the documents,
 * the délai in its words), over the organization's texts of the same kind: `{receipt?, short?,
 * paperReceipt?}`, empty when it follows the organization's. The R112-5 mentions are added to
 * whatever text is used (renderAcknowledgement), so nothing is checked here.
 */
export class RequestTypeAcknowledgementTexts1765122000000 implements MigrationInterface {
  name = 'RequestTypeAcknowledgementTexts1765122000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_type ADD COLUMN acknowledgement_templates jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE request_type DROP COLUMN acknowledgement_templates`);
  }
}
