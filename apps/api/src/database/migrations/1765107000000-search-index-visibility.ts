import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The text index of the conversations also holds each file's service and assignee (btree_gin),
 * so a plain agent's search is answered by the index: `search_doc @@ q AND team_id = ANY(…)`
 * (their services) and `search_doc @@ q AND assignee_id = me` (their own files) are each one
 * scan of this index, giving only the files they may see. With the words alone in the index,
 * the visibility was a filter on the files found: « Martin » (1 citizen in 25) at 1,000,000
 * files read 6,972 of them to count the 1,001 an agent of one service may see (issue 20).
 *
 * It replaces the index on `search_doc` alone (one GIN index to write per new row version, as
 * before: a message appended writes its file's words again): a search on the words alone uses
 * its first column as it used the old index. No trigger changes: a transfer or an assignment
 * writes a new row version, indexed with its new service and assignee by PostgreSQL itself;
 * `search_doc` is unchanged (no token added to it). btree_gin ships with PostgreSQL's contrib
 * modules (the embedded one included) and is a trusted extension (no superuser needed).
 */
export class SearchIndexVisibility1765107000000 implements MigrationInterface {
  name = 'SearchIndexVisibility1765107000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gin`);
    await q.query(`CREATE INDEX conversation_search_visible_idx ON conversation USING gin (search_doc, team_id, assignee_id)`);
    await q.query(`DROP INDEX conversation_search_doc_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX conversation_search_doc_idx ON conversation USING gin (search_doc)`);
    await q.query(`DROP INDEX conversation_search_visible_idx`);
    // btree_gin is left installed: it may have been there before (IF NOT EXISTS) or be used elsewhere.
  }
}
