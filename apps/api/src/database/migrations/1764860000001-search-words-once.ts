import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ingestMessageSql } from './1764856000000-ingest-search-inline';

/** A message's words, as the generated column computed them (SearchIgnoresMarkup1764500000012). */
const WORDS = (body: string) => `to_tsvector('guichet_fr'::regconfig, translate(left(${body}, 100000), '<>', '  '))`;

/** guichet_ingest_message()'s INSERT INTO message: what it becomes. */
const INSERT_FROM = `external_id, meta, created_at)
          VALUES (v_organization, v_conversation, 'inbound', p->>'kind', v_channel, p->>'body', p->>'html', 'received',
                  p->>'externalId', p->'meta', v_at)`;
const INSERT_TO = `external_id, meta, created_at, search)
          VALUES (v_organization, v_conversation, 'inbound', p->>'kind', v_channel, p->>'body', p->>'html', 'received',
                  p->>'externalId', p->'meta', v_at, v_doc)`;

/** guichet_ingest_message() as this migration defines it (IngestPreviousStatus1764873000000 derives its own). */
export function ingestMessageWithWords(): string {
  const sql = ingestMessageSql();
  if (sql.split(INSERT_FROM).length !== 2) throw new Error('SearchWordsOnce: the INSERT INTO message is not found once');
  return sql.replace(INSERT_FROM, INSERT_TO);
}

/**
 * Each ingested message had its words computed twice: by guichet_ingest_message() for its
 * conversation's search document (IngestSearchInline1764856000000), and again by the generated
 * column `message.search`, the same French stemming of the same body (about 0.1 ms of the
 * database's CPU for a 200-character e-mail). `message.search` becomes a plain column: the ingest
 * stores the words it computed, and a trigger computes them for every other write path (an agent's
 * reply, a note, the seed) and whenever a body changes (an edit, retention's anonymization).
 *
 * `conversation.search` (subject and reference) has been read by nothing since the search
 * document replaced it (SearchDocumentAndCounters1764750000000) but was still computed on every
 * INSERT and UPDATE of a conversation, i.e. on every message: dropped.
 */
export class SearchWordsOnce1764860000001 implements MigrationInterface {
  name = 'SearchWordsOnce1764860000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation DROP COLUMN search`);
    await q.query(`ALTER TABLE message ALTER COLUMN search DROP EXPRESSION`);
    await q.query(`
      CREATE FUNCTION message_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search := ${WORDS('NEW.body')};
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER message_search_words_insert BEFORE INSERT ON message
        FOR EACH ROW WHEN (NEW.search IS NULL) EXECUTE FUNCTION message_search_words()`);
    await q.query(`
      CREATE TRIGGER message_search_words_update BEFORE UPDATE OF body ON message
        FOR EACH ROW WHEN (NEW.body IS DISTINCT FROM OLD.body) EXECUTE FUNCTION message_search_words()`);
    await q.query(ingestMessageWithWords());
    // CREATE OR REPLACE resets a function's row estimate (IngestFunctionRows1764860000000).
    await q.query(`ALTER FUNCTION guichet_ingest_message(jsonb) ROWS 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(ingestMessageSql());
    await q.query(`ALTER FUNCTION guichet_ingest_message(jsonb) ROWS 1`);
    await q.query(`DROP TRIGGER message_search_words_update ON message`);
    await q.query(`DROP TRIGGER message_search_words_insert ON message`);
    await q.query(`DROP FUNCTION message_search_words()`);
    await q.query(`ALTER TABLE message DROP COLUMN search`);
    await q.query(`ALTER TABLE message ADD COLUMN search tsvector GENERATED ALWAYS AS (${WORDS('body')}) STORED`);
    await q.query(
      `ALTER TABLE conversation ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('guichet_fr'::regconfig,
         translate(coalesce(subject, '') || ' ' || reference, '<>', '  '))) STORED`,
    );
  }
}
