import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20: a file's words stay in its row. A search for a common word or name walks the newest
 * files of its scope and tests the words on each (ConversationRepository.boundedWalk): with the
 * default storage, PostgreSQL moved `search_doc` out of line (TOAST) in about a third of the rows —
 * those over 2 kB, `messages_search` beside it holding the same words — so each such row cost a
 * look-up in the TOAST table's index and a read of its chunk. MAIN keeps it in the row, compressed,
 * and moves `messages_search` out instead (read only when a message is appended, never by a
 * search). Measured on the inbox bench's town (200,000 files, EXPLAIN BUFFERS): a service's walk
 * to its first page of « Martin » 1,232 → 635 buffers, the town's 1,171 → 682.
 *
 * No rewrite here: a row's value moves in when the row is next written (each new message rewrites
 * `search_doc`), the newest files — those a walk reads — first; VACUUM FULL moves them all.
 */
export class SearchDocInline1765115000000 implements MigrationInterface {
  name = 'SearchDocInline1765115000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation ALTER COLUMN search_doc SET STORAGE MAIN`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation ALTER COLUMN search_doc SET STORAGE EXTENDED`);
  }
}
