import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INGEST_BATCH_SQL } from './1764400000000-ingest-function';
import { ingestMessageWithWords } from './1764860000001-search-words-once';

/** The last column both functions return, after `version integer`. */
const RETURNS_FROM = 'first_response_at timestamptz, version integer\n      )';
const RETURNS_TO = 'first_response_at timestamptz, version integer,\n        previous_status text\n      )';

/** Each edit of guichet_ingest_message(): what it replaces, and with what. */
const EDITS: [string, string][] = [
  [RETURNS_FROM, RETURNS_TO],
  ['      BEGIN\n', '        v_previous_status text;\n      BEGIN\n'],
  // The status the message found the file in, read from the row it updates (no other write between).
  [
    '            WHERE c.id = v_match;\n',
    '            WHERE c.id = v_match\n            RETURNING old.status INTO v_previous_status;\n',
  ],
  ['                 c.first_response_at, c.version\n', '                 c.first_response_at, c.version, v_previous_status\n'],
];

function edited(sql: string, edits: [string, string][]): string {
  return edits.reduce((out, [from, to]) => {
    if (out.split(from).length !== 2) throw new Error(`IngestPreviousStatus: "${from.trim()}" is not found once`);
    return out.replace(from, to);
  }, sql);
}

const DROP = [`DROP FUNCTION guichet_ingest(jsonb)`, `DROP FUNCTION guichet_ingest_message(jsonb)`];
/** CREATE resets the functions' row estimates (IngestFunctionRows1764860000000). */
const ROWS = [`ALTER FUNCTION guichet_ingest(jsonb) ROWS 8`, `ALTER FUNCTION guichet_ingest_message(jsonb) ROWS 1`];

/** The statements that create both functions as this migration defines them (IngestOneFunction1765060000000's down). */
export const previousStatusFunctions = (): string[] => [
  edited(ingestMessageWithWords(), EDITS),
  edited(INGEST_BATCH_SQL, [[RETURNS_FROM, RETURNS_TO]]),
  ...ROWS,
];

/**
 * The ingest tells the status a message found its file in (`previous_status`; null for a new
 * file): a citizen's message moves a file's counters only by its status (a reply reopens a
 * pending, snoozed or resolved file; service, assignee, callback and due dates stay), so with it
 * the `conversation.updated` event carries the file's counted state before the message, and the
 * agents' screens patch their counters instead of asking for them again after every message about
 * a file they have not loaded (issue 20). Read with RETURNING old.status (PostgreSQL 18) from the
 * row the UPDATE wrote: exact, whatever another transaction changed before it.
 *
 * Both functions' result type changes, so they are dropped and created again.
 */
export class IngestPreviousStatus1764873000000 implements MigrationInterface {
  name = 'IngestPreviousStatus1764873000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of DROP) await q.query(sql);
    for (const sql of previousStatusFunctions()) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of DROP) await q.query(sql);
    await q.query(ingestMessageWithWords());
    await q.query(INGEST_BATCH_SQL);
    for (const sql of ROWS) await q.query(sql);
  }
}
