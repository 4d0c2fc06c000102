import { letterSenderKey } from '@guichet/contracts';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: a registered letter joins the citizen its typed details match exactly, the name and
 * postal address included (an earlier letter from the same name at the same address). Each
 * letter's message keeps who sent it as compared (`meta.letterSenderKey`, letterSenderKey()),
 * found by this partial index (letters only: a few rows beside the messages). Anonymizing a file
 * empties its messages' meta, the key with it.
 *
 * The letters registered before get their key here.
 */
export class LetterSenderKey1765102000000 implements MigrationInterface {
  name = 'LetterSenderKey1765102000000';

  async up(q: QueryRunner): Promise<void> {
    const letters: { id: string; name: string | null; address: string | null }[] = await q.query(
      `SELECT id, meta->'letter'->'sender'->>'name' AS name, meta->'letter'->'sender'->>'address' AS address
         FROM message WHERE direction = 'inbound' AND meta ? 'letter'`,
    );
    const known = letters.filter((l) => l.name && l.address);
    if (known.length)
      await q.query(
        `UPDATE message m SET meta = m.meta || jsonb_build_object('letterSenderKey', k.key)
           FROM unnest($1::uuid[], $2::text[]) AS k(id, key) WHERE m.id = k.id`,
        [known.map((l) => l.id), known.map((l) => letterSenderKey(l.name!, l.address!))],
      );
    await q.query(
      `CREATE INDEX message_letter_sender_idx ON message (organization_id, (meta->>'letterSenderKey'))
        WHERE meta ? 'letterSenderKey'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX message_letter_sender_idx`);
    await q.query(`UPDATE message SET meta = meta - 'letterSenderKey' WHERE meta ? 'letterSenderKey'`);
  }
}
