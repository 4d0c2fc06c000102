import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports (issue 15, the fold's cost per new conversation): a new conversation's mark carries the
 * channel it was opened on, so that the fold need not look for its first message.
 *
 * The fold counts a file under its origin channel (the channel of its first message), read once,
 * when it first counts the file: one index walk of `message` and one of `channel` per new file,
 * with a look-up of its fact beforehand, for every conversation the ingest opens. The ingest
 * writes a new conversation with the channel of the message that opens it (`last_channel_kind`,
 * ReportFold1765096000000's statement trigger sees it in its transition table): the mark keeps it
 * (`channel_kind`), and the fold takes it as the origin channel. A conversation written without
 * one (an agent's new file, a letter: the message comes after) is marked with none, and the fold
 * looks for its first message as before.
 */
export class ReportPendingChannel1765101000000 implements MigrationInterface {
  name = 'ReportPendingChannel1765101000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE report_pending ADD COLUMN channel_kind text`);
    await q.query(`
      CREATE OR REPLACE FUNCTION report_pending_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id, channel_kind) SELECT id, last_channel_kind FROM report_new_rows;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION report_pending_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id) SELECT id FROM report_new_rows;
        RETURN NULL;
      END $$`);
    await q.query(`ALTER TABLE report_pending DROP COLUMN channel_kind`);
  }
}
