import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What moves a conversation's fact (ReportsRepository.conversationSources): a change of any of
 * these marks the conversation. A due date counts only once it decides something (a response
 * target once answered, a decision date once resolved), an assignee only on a resolved file (who
 * handled it), a status only between in progress and resolved/closed.
 */
const COUNTED_CHANGE = `
  OLD.team_id IS DISTINCT FROM NEW.team_id
  OR OLD.request_type_id IS DISTINCT FROM NEW.request_type_id
  OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
  OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
  OR (OLD.status IN ('resolved', 'closed')) IS DISTINCT FROM (NEW.status IN ('resolved', 'closed'))
  OR OLD.satisfaction IS DISTINCT FROM NEW.satisfaction
  OR (OLD.response_due_at IS DISTINCT FROM NEW.response_due_at AND NEW.first_response_at IS NOT NULL)
  OR (OLD.decision_due_at IS DISTINCT FROM NEW.decision_due_at AND NEW.status IN ('resolved', 'closed'))
  OR (OLD.assignee_id IS DISTINCT FROM NEW.assignee_id AND NEW.status IN ('resolved', 'closed'))`;

/** The report listener's jobs the queue still held when this ran (pg-boss's table, when it exists). */
const REPORT_JOBS_LEFT = `
  DO $$
  BEGIN
    IF to_regclass('pgboss.job') IS NOT NULL THEN
      INSERT INTO report_pending (conversation_id, message_id)
      SELECT DISTINCT (e->>'conversationId')::uuid, (e->>'messageId')::uuid
        FROM pgboss.job j
        CROSS JOIN jsonb_array_elements(coalesce(j.data->'events', jsonb_build_array(j.data->'event'))) e
       WHERE j.name = 'domain-events' AND j.state IN ('created', 'retry', 'active')
         AND j.data->>'listener' = 'ReportAggregatesListener.onEvent' AND e->>'conversationId' IS NOT NULL;
    END IF;
  EXCEPTION WHEN undefined_column OR undefined_table OR invalid_text_representation THEN
    NULL;
  END $$`;

/**
 * Reports (issue 15, speed at scale): the aggregates are folded in by a periodic job instead of a
 * durable job per event, so that keeping them costs the ingest almost nothing.
 *
 * Before, every event that could move a report queued a job that recounted its conversation and
 * wrote the daily, monthly, label and agent rows one conversation at a time: 2.7 ms of database
 * CPU per ingested message (B/A 3.49 in bench/ingest-ab.ts), and a per-job variant deadlocked
 * with the reply path. Now:
 *
 * - `report_pending` holds marks: the ids of conversations (and telephone call messages) whose
 *   counted state may have changed, written by triggers in the writer's own transaction (it
 *   commits or rolls back with the change). No index, no key, no foreign key: an insert takes no
 *   lock anybody waits for, and costs a heap row. A new conversation is marked by a statement
 *   trigger (one INSERT … SELECT per statement: the ingest's batch); an update only when a
 *   counted column changed (a WHEN clause: the ingest's message added to an open file marks
 *   nothing); a label added or removed; a call message stored or its outcome changed.
 * - ReportAggregates folds the marks every few seconds, one instance at a time (an advisory
 *   lock): it deletes a batch of marks and recounts those conversations from what the rows say
 *   then, with a few set statements (the facts of all of them read in one statement, their
 *   deltas summed, each aggregate table written once). A change committed after the fold read
 *   its marks has a mark of its own left for the next one, so the aggregates end equal to a
 *   recount whatever races.
 * - The facts lose their foreign key to `conversation`: its check took a KEY SHARE lock on each
 *   conversation a fold counted, which a writer locking several conversations FOR UPDATE could
 *   wait for while the fold waited for it (a deadlock, seen in the racing test). A deleted
 *   conversation is marked instead (a statement trigger), and the fold deletes its fact (its
 *   counts stay in the aggregates, as the cascade did).
 * - `report_fold` says how fresh the reports are: the last fold that left no mark behind began
 *   at `folded_at` (every change committed before then is counted).
 *
 * Marks are also written here for what the old listener had not done yet: its jobs still queued,
 * and the ingest's outbox rows not yet relayed.
 */
export class ReportFold1765096000000 implements MigrationInterface {
  name = 'ReportFold1765096000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE report_pending (conversation_id uuid NOT NULL, message_id uuid)`);
    await q.query(`CREATE TABLE report_fold (id boolean PRIMARY KEY DEFAULT true CHECK (id), folded_at timestamptz)`);
    await q.query(`INSERT INTO report_fold (folded_at) VALUES (NULL)`);

    await q.query(`
      CREATE FUNCTION report_pending_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id) SELECT id FROM report_new_rows;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER report_pending_created AFTER INSERT ON conversation
        REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_pending_created()`);
    await q.query(`
      CREATE FUNCTION report_pending_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id) VALUES (NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER report_pending_changed AFTER UPDATE ON conversation
        FOR EACH ROW WHEN (${COUNTED_CHANGE}) EXECUTE FUNCTION report_pending_changed()`);
    await q.query(`
      CREATE FUNCTION report_pending_labelled() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          INSERT INTO report_pending (conversation_id) VALUES (OLD.conversation_id);
        ELSE
          INSERT INTO report_pending (conversation_id) VALUES (NEW.conversation_id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER report_pending_labelled AFTER INSERT OR DELETE ON conversation_label
        FOR EACH ROW EXECUTE FUNCTION report_pending_labelled()`);
    await q.query(`
      CREATE FUNCTION report_pending_call() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id, message_id) VALUES (NEW.conversation_id, NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER report_pending_call AFTER INSERT ON message
        FOR EACH ROW WHEN (NEW.kind = 'call') EXECUTE FUNCTION report_pending_call()`);
    await q.query(`
      CREATE TRIGGER report_pending_call_changed AFTER UPDATE OF meta ON message
        FOR EACH ROW WHEN (NEW.kind = 'call' AND OLD.meta IS DISTINCT FROM NEW.meta) EXECUTE FUNCTION report_pending_call()`);

    await q.query(`
      CREATE FUNCTION report_pending_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO report_pending (conversation_id) SELECT id FROM report_old_rows;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER report_pending_deleted AFTER DELETE ON conversation
        REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_pending_deleted()`);
    await q.query(`ALTER TABLE report_conversation DROP CONSTRAINT report_conversation_conversation_id_fkey`);

    await q.query(REPORT_JOBS_LEFT);
    await q.query(`INSERT INTO report_pending (conversation_id) SELECT DISTINCT conversation_id FROM domain_event_outbox`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM report_conversation rc WHERE NOT EXISTS (SELECT 1 FROM conversation c WHERE c.id = rc.conversation_id)`,
    );
    await q.query(`
      ALTER TABLE report_conversation ADD CONSTRAINT report_conversation_conversation_id_fkey
        FOREIGN KEY (conversation_id) REFERENCES conversation(id) ON DELETE CASCADE`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_deleted ON conversation`);
    await q.query(`DROP FUNCTION IF EXISTS report_pending_deleted()`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_call_changed ON message`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_call ON message`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_labelled ON conversation_label`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_changed ON conversation`);
    await q.query(`DROP TRIGGER IF EXISTS report_pending_created ON conversation`);
    await q.query(`DROP FUNCTION IF EXISTS report_pending_call()`);
    await q.query(`DROP FUNCTION IF EXISTS report_pending_labelled()`);
    await q.query(`DROP FUNCTION IF EXISTS report_pending_changed()`);
    await q.query(`DROP FUNCTION IF EXISTS report_pending_created()`);
    await q.query(`DROP TABLE IF EXISTS report_fold`);
    await q.query(`DROP TABLE IF EXISTS report_pending`);
  }
}
