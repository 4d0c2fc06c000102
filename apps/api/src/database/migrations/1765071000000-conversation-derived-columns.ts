import type { MigrationInterface, QueryRunner } from 'typeorm';

/** search_doc as SearchDocumentAndCounters1764750000000 generated it, from a row named `r`. */
const SEARCH_DOC = (r: string) => `guichet_search_concat(
          to_tsvector('guichet_fr'::regconfig,
                      translate(coalesce(${r}subject, '') || ' ' || ${r}reference || ' ' || coalesce(${r}citizen_name, ''), '<>', '  ')),
          ${r}messages_search)`;
/** due_at as RequestTypes1764770000000 generated it. */
const DUE_AT = (r: string) => `LEAST(${r}decision_due_at, CASE WHEN ${r}first_response_at IS NULL THEN ${r}response_due_at END)`;

/**
 * `conversation.search_doc` and `conversation.due_at` become plain columns that two BEFORE row
 * triggers keep, with the same expressions, instead of stored generated columns (issue 11: the
 * ingest's throughput). PostgreSQL prepares a generated column's expression again for every
 * statement that writes the table (read from the catalog, planned, the SQL function
 * guichet_search_concat parsed and inlined): a profile of the ingest put 7.7 % of the database's
 * CPU there, since every message writes its conversation in a statement of its own. A PL/pgSQL
 * trigger's statements are planned once per connection.
 *
 * Same values on every write path, as before: each trigger fires on INSERT and on any UPDATE
 * naming a column its value depends on (as PostgreSQL recomputes a generated column only then),
 * or naming the column itself (a write of it is replaced by the computed value, where a
 * generated column refused it). Existing values are kept as they are (DROP EXPRESSION: they were
 * computed by the same expressions); no index changes.
 */
export class ConversationDerivedColumns1765071000000 implements MigrationInterface {
  name = 'ConversationDerivedColumns1765071000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation ALTER COLUMN search_doc DROP EXPRESSION, ALTER COLUMN due_at DROP EXPRESSION`);
    await q.query(`
      CREATE FUNCTION conversation_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_doc := ${SEARCH_DOC('NEW.')};
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER conversation_search_doc BEFORE INSERT OR UPDATE OF subject, reference, citizen_name, messages_search, search_doc
        ON conversation FOR EACH ROW EXECUTE FUNCTION conversation_search_doc()`);
    await q.query(`
      CREATE FUNCTION conversation_due_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.due_at := ${DUE_AT('NEW.')};
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER conversation_due_at BEFORE INSERT OR UPDATE OF decision_due_at, first_response_at, response_due_at, due_at
        ON conversation FOR EACH ROW EXECUTE FUNCTION conversation_due_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER conversation_due_at ON conversation`);
    await q.query(`DROP FUNCTION conversation_due_at()`);
    await q.query(`DROP TRIGGER conversation_search_doc ON conversation`);
    await q.query(`DROP FUNCTION conversation_search_doc()`);
    // A column cannot become generated again: both are added back as RequestTypes and
    // SearchDocumentAndCounters added them, with their indexes.
    await q.query(`ALTER TABLE conversation DROP COLUMN due_at, DROP COLUMN search_doc`);
    await q.query(`ALTER TABLE conversation ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (${SEARCH_DOC('')}) STORED`);
    await q.query(`CREATE INDEX conversation_search_doc_idx ON conversation USING gin (search_doc)`);
    await q.query(`ALTER TABLE conversation ALTER COLUMN search_doc SET STATISTICS 1000`);
    await q.query(`ALTER TABLE conversation ADD COLUMN due_at timestamptz GENERATED ALWAYS AS (${DUE_AT('')}) STORED`);
    await q.query(`
      CREATE INDEX conversation_due_idx ON conversation (organization_id, due_at, id)
        WHERE due_at IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
    await q.query(`
      CREATE INDEX conversation_team_due_idx ON conversation (organization_id, team_id, due_at, id)
        WHERE due_at IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
    await q.query(`
      CREATE INDEX conversation_assignee_due_idx ON conversation (organization_id, assignee_id, due_at, id)
        WHERE due_at IS NOT NULL AND assignee_id IS NOT NULL AND status IN ('open', 'pending', 'snoozed')`);
  }
}
