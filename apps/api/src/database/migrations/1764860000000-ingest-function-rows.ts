import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * guichet_ingest() returns one row per message of a group commit (a handful), but a set-returning
 * function is planned as returning 1,000 rows unless told otherwise. With that estimate the ingest
 * statement (IngestRepository) joined its rows to `conversation` by a hash join over a sequential scan
 * of the whole table: each batch read every conversation of every town, a cost that grew with the
 * table (10 ms a batch at 1,200 conversations on the bench machine). With a true estimate the join is
 * a primary-key lookup per row. guichet_ingest_message() returns one row.
 *
 * A later CREATE OR REPLACE of either function resets the estimate: keep ROWS in its text.
 */
export class IngestFunctionRows1764860000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION guichet_ingest(jsonb) ROWS 8`);
    await q.query(`ALTER FUNCTION guichet_ingest_message(jsonb) ROWS 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION guichet_ingest(jsonb) ROWS 1000`);
    await q.query(`ALTER FUNCTION guichet_ingest_message(jsonb) ROWS 1000`);
  }
}
