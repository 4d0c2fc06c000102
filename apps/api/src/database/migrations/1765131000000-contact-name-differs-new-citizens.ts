import type { MigrationInterface, QueryRunner } from 'typeorm';

const FLUSH = `'guichet_ingest_flush(guichet_ingest_pending[])'::regprocedure`;

/** guichet_ingest_flush() as IngestOneWriteStatement1765105000000 wrote it → as this migration leaves it. */
const CHANGES: [string, string][] = [
  [
    `(q.item->>'organizationId')::uuid, q.item->>'fromName'
        FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord
    ),`,
    `(q.item->>'organizationId')::uuid, q.item->>'fromName'
        FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord
      RETURNING id
    ),`,
  ],
  [
    `          FROM unnest(p_pending) q
         WHERE q.is_new
`,
    `          FROM unnest(p_pending) q
         WHERE q.is_new
           -- Reads the batch's new citizens before the first file is written, so that they are
           -- written first: the file's trigger reads its citizen's name (conversation_contact_name_differs).
           AND (SELECT count(*) FROM contacts) >= 0
`,
  ],
];

async function rewrite(q: QueryRunner, pairs: [string, string][]): Promise<void> {
  const [row] = (await q.query(`SELECT pg_get_functiondef(${FLUSH}) AS def`)) as { def: string }[];
  let def = row!.def;
  for (const [from, to] of pairs) {
    if (def.split(from).length !== 2)
      throw new Error(`ContactNameDiffersNewCitizens: not found once in guichet_ingest_flush(): ${from}`);
    def = def.replace(from, () => to);
  }
  await q.query(def);
}

/**
 * conversation.contact_name_differs (ContactNameDiffers1765125000000) was wrong for every file the
 * ingest opened for a NEW citizen: the flush's statement wrote the citizen in a data-modifying CTE
 * that nothing read, and PostgreSQL runs such a CTE after the main statement, so the file's
 * trigger found no citizen yet and said « differs ». Harmless for the results (the search then
 * probes the citizen, as before the flag) but it cost the probe it was made to save, on most files.
 * The flush now reads that CTE before writing the files, and the wrong flags are recomputed.
 *
 * Also: the trigger ran its citizen lookup on every append (the appends' UPDATE sets citizen_name,
 * almost always to the same name). On UPDATE it now runs only when the name, the citizen or the
 * flag itself changes value.
 */
export class ContactNameDiffersNewCitizens1765131000000 implements MigrationInterface {
  name = 'ContactNameDiffersNewCitizens1765131000000';

  async up(q: QueryRunner): Promise<void> {
    await rewrite(q, CHANGES);
    await q.query(`DROP TRIGGER conversation_contact_name_differs ON conversation`);
    await q.query(`
      CREATE TRIGGER conversation_contact_name_differs BEFORE INSERT
        ON conversation FOR EACH ROW EXECUTE FUNCTION conversation_contact_name_differs()`);
    await q.query(`
      CREATE TRIGGER conversation_contact_name_differs_update BEFORE UPDATE OF citizen_name, contact_id, contact_name_differs
        ON conversation FOR EACH ROW
        WHEN (OLD.citizen_name IS DISTINCT FROM NEW.citizen_name OR OLD.contact_id IS DISTINCT FROM NEW.contact_id
              OR OLD.contact_name_differs IS DISTINCT FROM NEW.contact_name_differs)
        EXECUTE FUNCTION conversation_contact_name_differs()`);
    await q.query(`
      UPDATE conversation c SET contact_name_differs = false
        FROM contact k
       WHERE k.id = c.contact_id AND c.contact_name_differs AND k.name IS NOT DISTINCT FROM c.citizen_name`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER conversation_contact_name_differs_update ON conversation`);
    await q.query(`DROP TRIGGER conversation_contact_name_differs ON conversation`);
    await q.query(`
      CREATE TRIGGER conversation_contact_name_differs BEFORE INSERT OR UPDATE OF citizen_name, contact_id, contact_name_differs
        ON conversation FOR EACH ROW EXECUTE FUNCTION conversation_contact_name_differs()`);
    await rewrite(
      q,
      CHANGES.map(([from, to]) => [to, from]),
    );
  }
}
