import { senderAddresses } from '@guichet/channels';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Quarantined mails read per statement while their senders are filled in. */
const BACKFILL_BATCH = 200;

/**
 * The quarantine keeps nothing it no longer needs (issue 16: "e-mail copies kept by Guichet hold
 * nothing"). A discarded mail, and one a retry stored, leave the table at once (the audit row
 * says who, when, which mailbox, folder and UID); a citizen's erasure removes the quarantined
 * mails from their addresses, found by `senders` (From, Sender, Reply-To, Return-Path, read
 * without parsing: these are mails the parser refused); and the retention run removes every
 * quarantined mail older than the organization's `quarantine_retention_days` (30 by default).
 *
 * The rows discarded before this migration (their raw source was kept) go now.
 */
export class QuarantinePurge1765091000000 implements MigrationInterface {
  name = 'QuarantinePurge1765091000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM quarantine WHERE discarded_at IS NOT NULL`);
    await q.query(`ALTER TABLE quarantine ADD COLUMN senders text[] NOT NULL DEFAULT '{}'`);
    await q.query(
      `ALTER TABLE organization ADD COLUMN quarantine_retention_days integer NOT NULL DEFAULT 30
         CHECK (quarantine_retention_days BETWEEN 1 AND 365)`,
    );
    // The retention run's look-up (older than the period); an erasure's look-up is within one organization.
    await q.query(`CREATE INDEX quarantine_org_created_idx ON quarantine (organization_id, created_at)`);
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const rows: { id: string; head: Buffer }[] = await q.query(
        `SELECT id, substring(raw from 1 for 65536) AS head FROM quarantine WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, BACKFILL_BATCH],
      );
      if (!rows.length) break;
      await q.query(
        `UPDATE quarantine q SET senders = s.senders::text[]
           FROM unnest($1::uuid[], $2::text[]) AS s(id, senders) WHERE q.id = s.id`,
        [
          rows.map((r) => r.id),
          rows.map(
            (r) =>
              `{${senderAddresses(r.head)
                .map((a) => JSON.stringify(a))
                .join(',')}}`,
          ),
        ],
      );
      after = rows[rows.length - 1]!.id;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX quarantine_org_created_idx`);
    await q.query(`ALTER TABLE organization DROP COLUMN quarantine_retention_days`);
    await q.query(`ALTER TABLE quarantine DROP COLUMN senders`);
  }
}
