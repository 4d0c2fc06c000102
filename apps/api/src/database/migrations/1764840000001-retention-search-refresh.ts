import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention empties every message body of a batch and then the conversations' search documents
 * itself: the per-message refresh (one aggregate and one conversation update, with its GIN
 * entries, per message) is skipped in that transaction only (`SET LOCAL guichet.emptying_search`).
 */
export class RetentionSearchRefresh1764840000001 implements MigrationInterface {
  name = 'RetentionSearchRefresh1764840000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION message_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('guichet.emptying_search', true) = 'on' THEN RETURN NULL; END IF;
        PERFORM message_search_refresh(ARRAY[NEW.conversation_id]);
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION message_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM message_search_refresh(ARRAY[NEW.conversation_id]);
        RETURN NULL;
      END $$`);
  }
}
