import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16, RGPD art. 18: the one definition of « this conversation's messages may not leave »,
 * asked by the API before a write and by the outbound worker before a send. Since when the
 * citizen's data is limited, or null when the conversation may still be processed: a rights
 * request (its answer goes out), or a request the citizen opened after the limitation — writing to
 * the town is their consent to that request's processing (art. 18.2); their earlier files stay
 * frozen. A null conversation (an agent starting a new one) is limited.
 */
export class LimitedSince1765111000000 implements MigrationInterface {
  name = 'LimitedSince1765111000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION guichet_limited_since(p_contact uuid, p_conversation uuid) RETURNS timestamptz
      LANGUAGE sql STABLE AS $$
        SELECT r.granted_at FROM processing_restriction r
         WHERE r.contact_id = p_contact AND r.kind = 'limitation' AND r.lifted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM rights_request rr WHERE rr.conversation_id = p_conversation)
           AND NOT EXISTS (
             SELECT 1 FROM conversation c
              WHERE c.id = p_conversation AND c.created_at > r.granted_at
                AND (SELECT m.direction FROM message m WHERE m.conversation_id = c.id
                      ORDER BY m.created_at, m.id LIMIT 1) = 'inbound')
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION guichet_limited_since(uuid, uuid)`);
  }
}
