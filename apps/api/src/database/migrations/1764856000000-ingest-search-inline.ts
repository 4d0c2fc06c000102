import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INGEST_MESSAGE_SQL } from './1764500000000-unverified-senders';

/** The words of a message as `message.search` holds them (SearchIgnoresMarkup1764500000012). */
const MESSAGE_DOC = `to_tsvector('guichet_fr'::regconfig, translate(left(p->>'body', 100000), '<>', '  '))`;

/** Each edit of guichet_ingest_message(): what it replaces, and with what. */
const EDITS: [string, string][] = [
  // The message's words, computed once for the conversation's row.
  ['      BEGIN\n', `        v_doc tsvector := ${MESSAGE_DOC};\n      BEGIN\n`],
  // A message appended: its words join the conversation's in the same UPDATE.
  [
    '              version = c.version + 1\n',
    '              version = c.version + 1,\n              messages_search = guichet_search_concat(c.messages_search, v_doc)\n',
  ],
  // A new conversation starts with them.
  [
    '                                        citizen_name, identity_ids)\n',
    '                                        citizen_name, identity_ids, messages_search)\n',
  ],
  [
    '                      v_from_name, array_remove(v_identities, NULL))\n',
    '                      v_from_name, array_remove(v_identities, NULL), v_doc)\n',
  ],
  // The trigger of `message` is told they are there already.
  [
    '          INSERT INTO message (organization_id',
    "          PERFORM set_config('guichet.ingest_search', 'on', true);\n          INSERT INTO message (organization_id",
  ],
  [
    '          RETURNING message.id INTO v_message;\n',
    "          RETURNING message.id INTO v_message;\n          PERFORM set_config('guichet.ingest_search', 'off', true);\n",
  ],
];

export function ingestMessageSql(): string {
  return EDITS.reduce((sql, [from, to]) => {
    if (sql.split(from).length !== 2)
      throw new Error(`IngestSearchInline: "${from.trim()}" is not found once in guichet_ingest_message()`);
    return sql.replace(from, to);
  }, INGEST_MESSAGE_SQL);
}

const TRIGGER_SQL = (skip: string) => `
  CREATE OR REPLACE FUNCTION message_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    ${skip}UPDATE conversation c SET messages_search = guichet_search_concat(c.messages_search, n.doc)
      FROM (SELECT conversation_id, guichet_search_agg(search ORDER BY created_at, id) AS doc
              FROM new_messages GROUP BY conversation_id) n
     WHERE c.id = n.conversation_id AND n.doc <> ''::tsvector;
    RETURN NULL;
  END $$`;

/**
 * The ingest writes each conversation's row once per message again (issue 11: the benchmarks
 * hold). Since SearchDocumentAndCounters1764750000000, the statement trigger on `message` added a
 * message's words to its conversation's `messages_search` in a second UPDATE: a second row
 * version of `conversation` per message (an entry in each of its indexes, its whole search
 * document re-entered in the GIN index, the counters' trigger run again), which more than doubled
 * the database's CPU per ingested message (1.71 ms against 0.98 ms without it, same run).
 *
 * guichet_ingest_message() now puts the message's words (the same expression as
 * `message.search`) in the conversation's INSERT or UPDATE it already does, and tells the trigger
 * so for the INSERT INTO message it runs (a transaction-local setting, set and reset around that
 * statement): every other write path keeps the trigger.
 */
export class IngestSearchInline1764856000000 implements MigrationInterface {
  name = 'IngestSearchInline1764856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ingestMessageSql());
    await q.query(TRIGGER_SQL(`IF current_setting('guichet.ingest_search', true) = 'on' THEN RETURN NULL; END IF;\n    `));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(TRIGGER_SQL(''));
    await q.query(INGEST_MESSAGE_SQL);
  }
}
