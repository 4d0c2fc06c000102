import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18 (a reply sent twice): the outbound worker commits `sending` before it calls the
 * provider, with when the attempt started and which instance made it (`send_started_at`,
 * `send_instance`), and writes `sent` with the provider's id after. A message found `sending` by a
 * later run is an attempt whose outcome was never written (the process killed between the
 * provider's answer and the write, a job expired while its send ran, the write failed): the
 * provider is asked before anything is sent again (outbound.worker.ts).
 *
 * The new check is added NOT VALID: every existing row satisfies the old, narrower one, so there
 * is nothing to validate, and the table is not scanned under its lock.
 */
export class MessageSending1765100000000 implements MigrationInterface {
  name = 'MessageSending1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE message ADD COLUMN send_started_at timestamptz, ADD COLUMN send_instance text`);
    await q.query(`ALTER TABLE message DROP CONSTRAINT message_status_check`);
    await q.query(`
      ALTER TABLE message ADD CONSTRAINT message_status_check
        CHECK (status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'failed')) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    // An attempt whose outcome is unknown goes back to the queue: the old worker sends it again.
    await q.query(`UPDATE message SET status = 'queued', error = NULL WHERE status = 'sending'`);
    await q.query(`ALTER TABLE message DROP CONSTRAINT message_status_check`);
    await q.query(`
      ALTER TABLE message ADD CONSTRAINT message_status_check
        CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'failed')) NOT VALID`);
    await q.query(`ALTER TABLE message DROP COLUMN send_started_at, DROP COLUMN send_instance`);
  }
}
