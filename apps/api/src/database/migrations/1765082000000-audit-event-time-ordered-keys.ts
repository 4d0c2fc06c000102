import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit's look-ups by citizen (contact) and by file (conversation) on time-ordered keys (issue
 * 16, audit-view bench). Keyed by the citizen or the file alone, every access record (two per file
 * opened) inserted into two random places of two indexes holding a year of events: after each
 * checkpoint each of those leaf pages is written whole to the WAL once (~13 KB of full-page
 * images per record, measured) and the indexes' working set is all of them.
 *
 * Here the key starts with the event's block of 65,536 ids (`id >> 16`, a few days to a few
 * weeks of a town's events): a record goes into the current block's part of each index, a few
 * hundred pages at most, which stay in memory and are written whole once per checkpoint, not
 * once per record. A look-up by citizen or file visits each block (PostgreSQL 18's B-tree skip
 * scan: one descent per block, ~30 for a year of 2,000,000 events), then reads the few rows of
 * that citizen or file; the id comes last so they come out in id order within a block.
 *
 * Measured on 2,000,000 events over 50,000 files (loaded machine): an access record written just
 * after a checkpoint, 14.8 KB of WAL before, 4.1 KB after; the viewer's look-up by citizen or by
 * file 0.5–1 ms and ~160 buffers (was ~0.25 ms and ~60), still index-served
 * (test/service/hot-queries.service.test.ts).
 */
export class AuditEventTimeOrderedKeys1765082000000 implements MigrationInterface {
  name = 'AuditEventTimeOrderedKeys1765082000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX audit_event_contact_block_idx ON audit_event ((id >> 16), contact_id, id) WHERE contact_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_event_conversation_block_idx ON audit_event ((id >> 16), conversation_id, id)
        WHERE conversation_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX audit_event_contact_idx`);
    await q.query(`DROP INDEX audit_event_conversation_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX audit_event_contact_idx ON audit_event (contact_id, created_at DESC) WHERE contact_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_event_conversation_idx ON audit_event (conversation_id, created_at DESC) WHERE conversation_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX audit_event_contact_block_idx`);
    await q.query(`DROP INDEX audit_event_conversation_block_idx`);
  }
}
