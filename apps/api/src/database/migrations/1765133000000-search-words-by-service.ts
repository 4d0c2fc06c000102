import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The words of each file again, each prefixed with its service (the first 8 hex digits of its
 * id), in a second text index: « Martin » in one service is then one posting list of that
 * service's 5,000 files, not the town's 36,000 « martin » crossed with the service's 143,000
 * files (conversation_search_visible_idx). A search's count (« plus de 1 000 », counted service
 * by service: ConversationRepository.search) reads it: at 1,000,000 files its GIN part went from
 * 6.8 ms to 1.4 ms, the whole count from 9–10 ms to 4–6 ms (issue 20).
 *
 * - service_words(search_doc, team_id): the lexemes, prefixed, without positions (a phrase is
 *   then rechecked on search_doc: ConversationRepository.countWordsStatement). Lexemes over 2,039
 *   bytes are left out: prefixed, they would pass the 2,047 bytes a lexeme can hold (array_to_tsvector
 *   does not refuse them, it wraps their length). A search for such a word is not counted here.
 * - service_query(q, team_id): the query's lexemes prefixed the same way, its operators kept but
 *   for a phrase's, made ANDs (necessary for the phrase; under a NOT, the count may then miss a
 *   file, never add one: it only ever proves « over 1,000 », and a count under it is probed).
 * Two services of the town may share a prefix (one chance in 4 billion per pair): the count also
 * tests team_id, so the index then gives a few more candidates, never another service's file.
 * Both are immutable: the index is PostgreSQL's to keep (a transfer writes a new row version,
 * indexed with its new service), no trigger changes.
 */
export class SearchWordsByService1765133000000 implements MigrationInterface {
  name = 'SearchWordsByService1765133000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION service_words(doc tsvector, team uuid) RETURNS tsvector
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT array_to_tsvector(ARRAY(SELECT left(team::text, 8) || l FROM unnest(tsvector_to_array(doc)) l
                                               WHERE octet_length(l) <= 2039)) $$`);
    // The lexemes (quoted, a quote in one doubled) prefixed; then the phrase operators outside
    // them (an even number of quotes follows) made ANDs: the index has no positions.
    await q.query(`
      CREATE FUNCTION service_query(query tsquery, team uuid) RETURNS tsquery
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT regexp_replace(
                       regexp_replace(query::text, '''((?:[^'']|'''')*)''', '''' || left(team::text, 8) || '\\1''', 'g'),
                       '<(?:-|\\d+)>(?=(?:[^'']*''[^'']*'')*[^'']*$)', '&', 'g')::tsquery $$`);
    await q.query(`CREATE INDEX conversation_search_service_idx ON conversation USING gin (service_words(search_doc, team_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX conversation_search_service_idx`);
    await q.query(`DROP FUNCTION service_query(tsquery, uuid)`);
    await q.query(`DROP FUNCTION service_words(tsvector, uuid)`);
  }
}
