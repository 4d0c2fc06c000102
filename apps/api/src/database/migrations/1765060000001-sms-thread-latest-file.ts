import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INGEST_FUNCTION_SQL } from './1765060000000-ingest-one-function';

const FUNCTION = `'guichet_ingest(jsonb)'::regprocedure`;

/** The latest-open rule of guichet_ingest() as IngestOneFunction1765060000000 defines it. */
const FROM = `            IF v_match IS NULL AND (p->>'latestOpen')::boolean THEN
              SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
                FROM conversation c WHERE c.contact_id = v_contact AND c.status IN ('open', 'pending', 'snoozed')
               ORDER BY c.last_message_at DESC LIMIT 1;
            END IF;
`;

const TO = `            IF v_match IS NULL AND (p->>'latestOpen')::boolean THEN
              SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
                FROM conversation c WHERE c.contact_id = v_contact AND c.status IN ('open', 'pending', 'snoozed')
               ORDER BY c.last_message_at DESC LIMIT 1;
              -- No file in progress: a new file, flagged as related to the citizen's latest one
              -- (resolved, or closed e.g. as transmitted); never appended to it (no contact or status
              -- read: the append's condition is false).
              IF v_match IS NULL THEN
                SELECT c.id INTO v_match FROM conversation c WHERE c.contact_id = v_contact
                 ORDER BY c.last_message_at DESC LIMIT 1;
              END IF;
            END IF;
`;

/** guichet_ingest() as this migration leaves it (IngestSetWrites1765081000000's down). */
export function latestFileIngestSql(): string {
  if (INGEST_FUNCTION_SQL.split(FROM).length !== 2)
    throw new Error('SmsThreadLatestFile: the latest-open rule is not found once');
  return INGEST_FUNCTION_SQL.replace(FROM, TO);
}

async function replace(q: QueryRunner, from: string, to: string): Promise<void> {
  const [row] = (await q.query(`SELECT pg_get_functiondef(${FUNCTION}) AS def`)) as { def: string }[];
  const def = row!.def;
  if (def.split(from).length !== 2) throw new Error('SmsThreadLatestFile: the latest-open rule is not found once');
  // pg_get_functiondef gives CREATE OR REPLACE with the same signature, result and ROWS estimate.
  await q.query(def.replace(from, to));
}

/**
 * A citizen's SMS (WhatsApp, Messenger, a voicemail: every message threaded by « latest open
 * conversation ») when they have no file in progress went to a new file with no link to the one
 * the town had just resolved or transmitted (L114-2). The threading rules (ARCHITECTURE.md) thread
 * such messages into the latest *open* file only: an SMS has no reply context, a message weeks
 * after a resolution is often a new request (its own acknowledgement, L112-3, and its own clock),
 * and a transmitted file is the competent administration's now. So it stays a new file, but is
 * flagged as possibly related to the citizen's latest file (possibly_related_to_id, as a mismatch
 * is): the agent sees the previous file at once and merges if it is a follow-up, and routing gives
 * it back to that file's holder when available (routing_resolved).
 */
export class SmsThreadLatestFile1765060000001 implements MigrationInterface {
  name = 'SmsThreadLatestFile1765060000001';

  async up(q: QueryRunner): Promise<void> {
    await replace(q, FROM, TO);
  }

  async down(q: QueryRunner): Promise<void> {
    await replace(q, TO, FROM);
  }
}
