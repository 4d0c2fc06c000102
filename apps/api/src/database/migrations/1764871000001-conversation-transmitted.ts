import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CRPA L114-2 (issue 13): a file forwarded to the competent administration is closed as
 * « transmise » to it. The administration's name is kept on the conversation, so every read of a
 * conversation (lists, detail, events) can say so without another query; the files transferred
 * before get it from their transfer record.
 */
export class ConversationTransmitted1764871000001 implements MigrationInterface {
  name = 'ConversationTransmitted1764871000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation ADD COLUMN transmitted_to text`);
    await q.query(`
      UPDATE conversation c SET transmitted_to = t.administration_name
        FROM (SELECT DISTINCT ON (conversation_id) conversation_id, administration_name
                FROM administration_transfer ORDER BY conversation_id, created_at DESC) t
       WHERE c.id = t.conversation_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation DROP COLUMN transmitted_to`);
  }
}
