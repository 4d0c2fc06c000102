import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search and counters at a large town's volume (issue 20).
 *
 * 1. Each conversation carries `search_doc`, the words of everything it holds: its subject and
 *    reference, the citizen's name given in it, and the bodies of all its messages. One GIN index
 *    on one column lets the planner either walk the conversations in recency order testing the
 *    match row by row (a common word: the first page is found after a few dozen rows) or read the
 *    few matching rows from the index and sort them (a rare word), instead of building the full
 *    set of matching messages before taking the first page. The message part
 *    (`messages_search`) is kept current by triggers on `message`, so every write path (the
 *    ingest function, agent replies, call transcripts, retention) keeps it exact.
 * 2. `conversation_count`: signed deltas of the in-progress conversations per (service,
 *    assignee, status, callback flag), appended by statement triggers on `conversation` in the
 *    writing transaction and folded together by a periodic compaction. Appending never waits on
 *    another transaction's counter row (no hot-row lock, no deadlock between opposite
 *    transfers), and the sum is exact: a delta commits or rolls back with its change.
 */
export class SearchDocumentAndCounters1764750000000 implements MigrationInterface {
  name = 'SearchDocumentAndCounters1764750000000';

  async up(q: QueryRunner): Promise<void> {
    // Concatenation that cannot fail: positions are dropped once a document grows past ~500 kB
    // (a tsvector holds at most 1 MB; phrase search then no longer applies to that conversation).
    await q.query(`
      CREATE FUNCTION guichet_search_concat(a tsvector, b tsvector) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN pg_column_size(a) + pg_column_size(b) > 500000 THEN strip(a) || strip(b) ELSE a || b END
      $$`);
    await q.query(
      `CREATE AGGREGATE guichet_search_agg(tsvector) (SFUNC = guichet_search_concat, STYPE = tsvector, INITCOND = '')`,
    );

    await q.query(`ALTER TABLE conversation ADD COLUMN messages_search tsvector NOT NULL DEFAULT ''`);
    await q.query(`
      UPDATE conversation c SET messages_search = d.doc
        FROM (SELECT conversation_id, guichet_search_agg(search ORDER BY created_at, id) AS doc FROM message GROUP BY conversation_id) d
       WHERE d.conversation_id = c.id`);
    await q.query(`
      ALTER TABLE conversation ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
        guichet_search_concat(
          to_tsvector('guichet_fr'::regconfig,
                      translate(coalesce(subject, '') || ' ' || reference || ' ' || coalesce(citizen_name, ''), '<>', '  ')),
          messages_search)
      ) STORED`);
    await q.query(`CREATE INDEX conversation_search_doc_idx ON conversation USING gin (search_doc)`);
    // The planner chooses between walking by date and reading the index from how common each word is.
    await q.query(`ALTER TABLE conversation ALTER COLUMN search_doc SET STATISTICS 1000`);
    // Replaced by search_doc: the per-table indexes only cost writes now.
    await q.query(`DROP INDEX conversation_search_idx`);
    await q.query(`DROP INDEX message_search_idx`);

    await q.query(`
      CREATE FUNCTION message_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE conversation c SET messages_search = guichet_search_concat(c.messages_search, n.doc)
          FROM (SELECT conversation_id, guichet_search_agg(search ORDER BY created_at, id) AS doc
                  FROM new_messages GROUP BY conversation_id) n
         WHERE c.id = n.conversation_id AND n.doc <> ''::tsvector;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION message_search_refresh(ids uuid[]) RETURNS void LANGUAGE sql AS $$
        UPDATE conversation c
           SET messages_search = coalesce((SELECT guichet_search_agg(m.search ORDER BY m.created_at, m.id)
                                             FROM message m WHERE m.conversation_id = c.id), '')
         WHERE c.id = ANY(ids)
      $$`);
    await q.query(`
      CREATE FUNCTION message_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM message_search_refresh(ARRAY[NEW.conversation_id]);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION message_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM message_search_refresh(ARRAY(SELECT DISTINCT conversation_id FROM old_messages));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER message_search_insert AFTER INSERT ON message
        REFERENCING NEW TABLE AS new_messages FOR EACH STATEMENT EXECUTE FUNCTION message_search_inserted()`);
    await q.query(`
      CREATE TRIGGER message_search_update AFTER UPDATE OF body ON message
        FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION message_search_changed()`);
    await q.query(`
      CREATE TRIGGER message_search_delete AFTER DELETE ON message
        REFERENCING OLD TABLE AS old_messages FOR EACH STATEMENT EXECUTE FUNCTION message_search_deleted()`);

    await q.query(`
      CREATE TABLE conversation_count (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid NOT NULL,
        assignee_id uuid,
        status text NOT NULL,
        callback_needed boolean NOT NULL,
        n integer NOT NULL
      )`);
    await q.query(`CREATE INDEX conversation_count_org_idx ON conversation_count (organization_id)`);
    const KEY = 'organization_id, team_id, assignee_id, status, callback_needed';
    const added = `SELECT ${KEY}, 1 AS d FROM new_rows`;
    const removed = `SELECT ${KEY}, -1 AS d FROM old_rows`;
    for (const [op, tables, rows] of [
      ['INSERT', 'NEW TABLE AS new_rows', added],
      ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', `${added} UNION ALL ${removed}`],
      ['DELETE', 'OLD TABLE AS old_rows', removed],
    ] as const) {
      await q.query(`
        CREATE FUNCTION conversation_count_${op.toLowerCase()}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO conversation_count (${KEY}, n)
          SELECT ${KEY}, sum(d) FROM (${rows}) r
           WHERE status IN ('open', 'pending', 'snoozed')
             -- an organization being deleted takes its counters with it (cascade): none added back
             AND EXISTS (SELECT 1 FROM organization o WHERE o.id = r.organization_id)
           GROUP BY ${KEY}
          HAVING sum(d) <> 0;
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE TRIGGER conversation_count_${op.toLowerCase()} AFTER ${op} ON conversation
          REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION conversation_count_${op.toLowerCase()}()`);
    }
    await q.query(`
      CREATE FUNCTION conversation_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM conversation_count;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER conversation_count_truncate AFTER TRUNCATE ON conversation
        FOR EACH STATEMENT EXECUTE FUNCTION conversation_count_truncate()`);
    await q.query(`
      INSERT INTO conversation_count (${KEY}, n)
      SELECT ${KEY}, count(*) FROM conversation WHERE status IN ('open', 'pending', 'snoozed') GROUP BY ${KEY}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete', 'truncate']) {
      await q.query(`DROP TRIGGER conversation_count_${op} ON conversation`);
      await q.query(`DROP FUNCTION conversation_count_${op}()`);
    }
    await q.query(`DROP TABLE conversation_count`);
    for (const op of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER message_search_${op} ON message`);
    await q.query(`DROP FUNCTION message_search_inserted()`);
    await q.query(`DROP FUNCTION message_search_changed()`);
    await q.query(`DROP FUNCTION message_search_deleted()`);
    await q.query(`DROP FUNCTION message_search_refresh(uuid[])`);
    await q.query(`CREATE INDEX message_search_idx ON message USING gin (search)`);
    await q.query(`CREATE INDEX conversation_search_idx ON conversation USING gin (search)`);
    await q.query(`ALTER TABLE conversation DROP COLUMN search_doc, DROP COLUMN messages_search`);
    await q.query(`DROP AGGREGATE guichet_search_agg(tsvector)`);
    await q.query(`DROP FUNCTION guichet_search_concat(tsvector, tsvector)`);
  }
}
