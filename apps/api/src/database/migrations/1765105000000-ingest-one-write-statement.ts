import type { MigrationInterface, QueryRunner } from 'typeorm';
import { IngestSetWrites1765081000000 } from './1765081000000-ingest-set-writes';

const FLUSH = `'guichet_ingest_flush(guichet_ingest_pending[])'::regprocedure`;

/** The conversation's columns an item answers, as the flush's result names them (after new_conversation). */
const ANSWERED = (c: string) =>
  [
    'id, organization_id, reference, status, priority, subject, team_id, assignee_id, contact_id, citizen_name',
    'last_channel_kind, snippet, unread, callback_needed, possibly_related_to_id, snoozed_until, created_at',
    'last_message_at, last_inbound_at, first_response_at, version',
  ]
    .join(', ')
    .split(', ')
    .map((col) => `${c}.${col}`)
    .join(', ');

/**
 * The new files of `items` with their `k`-th reference (the first free one their caller drew is
 * kept: a taken one writes nothing, ON CONFLICT), and the messages and attachments of the items
 * `messaged` selects from `items` (given `added`, the files written). Items without a k-th
 * reference stop the batch as the loop did.
 */
const NEW_FILES = (items: string, k: string) => `
      added AS (
        INSERT INTO conversation AS c (id, organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                       created_at, last_message_at, last_inbound_at, snippet, last_channel_kind,
                                       citizen_name, identity_ids, messages_search)
        SELECT q.conversation_id, (q.item->>'organizationId')::uuid,
               coalesce(q.item->'references'->>(${k} - 1), guichet_ingest_no_free_reference(q.item->'references')),
               q.contact_id, (q.item->>'teamId')::uuid, q.item->>'subject', q.match_id,
               q.at, q.at, q.at, q.item->>'snippet', q.item->>'channelKind',
               q.citizen_name, q.identity_ids, q.doc
          FROM unnest(${items}) q
         WHERE q.is_new
         ORDER BY q.ord
        ON CONFLICT (reference) DO NOTHING
        RETURNING ${ANSWERED('c')}
      )`;

/**
 * The messages and attachments of the items `messaged` selects (as `written`), with the flush's
 * INSERTs as IngestSetWrites1765081000000 wrote them (read from the function).
 */
const MESSAGES = (writes: string, messaged: string) => `
      written AS MATERIALIZED (${messaged}),
      ${writes}`;

function writesOf(source: string): string {
  const found =
    /messages AS \(\s*INSERT INTO message[\s\S]*?AS a\(id uuid, "fileName" text, "contentType" text, size int, sha256 text\)\s*\)/.exec(
      source,
    );
  const from = ['FROM unnest(p_pending) q ORDER BY q.ord', 'FROM unnest(p_pending) q,'];
  if (!found || from.some((f) => found[0].split(f).length !== 2))
    throw new Error('IngestOneWriteStatement: the messages of guichet_ingest_flush() not found');
  return found[0].replace(from[0], 'FROM written q ORDER BY q.ord').replace(from[1], 'FROM written q,');
}

const NEW_ROWS = (items: string) =>
  `SELECT q.ord, q.message_id, true, true, ${ANSWERED('a')}, NULL::text
         FROM added a JOIN unnest(${items}) q ON q.conversation_id = a.id`;

/**
 * The appends' UPDATE of the flush as IngestSetWrites1765081000000 wrote it (read from the
 * function), its rows found by the batch's ids rather than by a variable the flush no longer sets.
 */
function appendOf(source: string): string {
  const found = /UPDATE conversation c SET[\s\S]*?old\.status AS previous_status/.exec(source);
  const ids = 'c.id = ANY(v_appended)';
  if (!found || found[0].split(ids).length !== 2)
    throw new Error('IngestOneWriteStatement: the appends of guichet_ingest_flush() not found');
  return found[0].replace(ids, 'c.id = ANY(ARRAY(SELECT p.conversation_id FROM unnest(p_pending) p WHERE NOT p.is_new))');
}

/**
 * guichet_ingest_flush() as IngestSetWrites1765081000000 defines it, but the pending writes go in
 * ONE statement (data-modifying CTEs) where they took four or five: the new citizens (contact and
 * identity), the new files with the first reference their caller drew, the appends, the
 * messages and the attachments, each file's row answered from what its INSERT or UPDATE
 * returns. Same rows written, same answers; the foreign keys are checked at the end of the
 * statement, when the contacts, files and messages it writes are all there.
 *
 * A file whose first reference is taken (rare: another file holds it) is not written by that
 * statement, nor its message: the statement answers fewer rows than items, and those files are
 * written with their next reference, in turn, as before.
 */
const flushSql = (result: string, appendSql: string, writes: string) => `
  CREATE OR REPLACE FUNCTION guichet_ingest_flush(p_pending guichet_ingest_pending[]) RETURNS ${result}
  LANGUAGE plpgsql VOLATILE ROWS 8
  -- Planned once per connection: a batch's size changes the estimates, never the plan (index scans).
  SET plan_cache_mode = force_generic_plan AS $$
  #variable_conflict use_column
  DECLARE
    v_answered bigint;
    v_left guichet_ingest_pending[];
    v_k integer := 1;
  BEGIN
    RETURN QUERY
    WITH contacts AS (
      INSERT INTO contact (id, organization_id, name)
      SELECT q.contact_id, (q.item->>'organizationId')::uuid, q.item->>'fromName'
        FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord
    ),
    identities AS (
      INSERT INTO contact_identity (id, organization_id, contact_id, kind, value)
      SELECT q.identity_id, (q.item->>'organizationId')::uuid, q.contact_id, q.item->>'fromKind', q.item->>'fromValue'
        FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord
    ),
    ${NEW_FILES('p_pending', '1')},
    appended AS (
      ${appendSql}
    ),
    ${MESSAGES(writes, 'SELECT q.* FROM unnest(p_pending) q WHERE NOT q.is_new OR q.conversation_id IN (SELECT a.id FROM added a)')}
    SELECT a.ord, a.message_id, true, false, ${ANSWERED('a')}, a.previous_status FROM appended a
    UNION ALL
    ${NEW_ROWS('p_pending')};
    GET DIAGNOSTICS v_answered = ROW_COUNT;
    IF v_answered = cardinality(p_pending) THEN
      RETURN;
    END IF;
    -- New files whose reference was taken: the next one each drew, until all are written.
    LOOP
      v_left := ARRAY(SELECT q FROM unnest(p_pending) q
                       WHERE q.is_new AND NOT EXISTS (SELECT 1 FROM conversation c WHERE c.id = q.conversation_id)
                       ORDER BY q.ord);
      EXIT WHEN cardinality(v_left) = 0;
      v_k := v_k + 1;
      RETURN QUERY
      WITH ${NEW_FILES('v_left', 'v_k')},
      ${MESSAGES(writes, 'SELECT q.* FROM unnest(v_left) q WHERE q.conversation_id IN (SELECT a.id FROM added a)')}
      ${NEW_ROWS('v_left')};
    END LOOP;
  END
  $$`;

/**
 * One write statement per batch (issue 11: ingest ≥ 25 % of raw INSERT commits). Each statement
 * the flush ran cost its start-up whatever it wrote (executor, the table's indexes opened, its
 * triggers); the count of the batch and the free-reference check ran as statements of their own
 * too. Now one statement writes the batch, and the reference check is an expression of it.
 */
export class IngestOneWriteStatement1765105000000 implements MigrationInterface {
  name = 'IngestOneWriteStatement1765105000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION guichet_ingest_no_free_reference(p_references jsonb) RETURNS text LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'no free conversation reference among %', p_references USING ERRCODE = 'unique_violation';
      END $$`);
    const [{ result, source }] = (await q.query(
      `SELECT pg_get_function_result(${FLUSH}) AS result, (SELECT prosrc FROM pg_proc WHERE oid = ${FLUSH}) AS source`,
    )) as { result: string; source: string }[];
    await q.query(flushSql(result, appendOf(source), writesOf(source)));
  }

  async down(q: QueryRunner): Promise<void> {
    // IngestSetWrites1765081000000's functions again: undone (back to the loop), then redone.
    const previous = new IngestSetWrites1765081000000();
    await previous.down(q);
    await previous.up(q);
    await q.query(`DROP FUNCTION guichet_ingest_no_free_reference(jsonb)`);
  }
}
