import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 20, a search for a common name (« Martin »): a supervisor's search also finds the files of
 * a citizen whose current name (contact.name, shown on their file) matches, where the file itself
 * holds another name or none. The walk by date tested that on each file it read, by the citizen's
 * key (978 probes of contact, 3,912 of the walk's 4,926 buffers at 1,000,000 files), although the
 * file almost always holds the very same name, which its own words (search_doc, citizen_name in
 * it) have already been tested for.
 *
 * `conversation.contact_name_differs` says whether the citizen's current name differs from the name
 * given in the file: only then can the citizen's name match where the file's words do not, and
 * only then does the walk probe the citizen. Two triggers keep it exact on every write path:
 * - on conversation, before INSERT or an UPDATE of citizen_name or contact_id (a rename in the
 *   file, a merge moving it to another citizen, an anonymization), from the citizen's row;
 * - on contact, after an UPDATE of name (rectification, a merge keeping the other name,
 *   anonymization, a name from a provider's profile), on that citizen's files whose flag changes.
 * Existing files are computed here, once (a large town's million files: one pass).
 */
export class ContactNameDiffers1765125000000 implements MigrationInterface {
  name = 'ContactNameDiffers1765125000000';

  async up(q: QueryRunner): Promise<void> {
    // Until computed, every file probes (the behaviour so far).
    await q.query(`ALTER TABLE conversation ADD COLUMN contact_name_differs boolean NOT NULL DEFAULT true`);
    await q.query(`
      UPDATE conversation c SET contact_name_differs = false
        FROM contact k WHERE k.id = c.contact_id AND k.name IS NOT DISTINCT FROM c.citizen_name`);
    await q.query(`
      CREATE FUNCTION conversation_contact_name_differs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.contact_name_differs := NEW.citizen_name IS DISTINCT FROM (SELECT k.name FROM contact k WHERE k.id = NEW.contact_id);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER conversation_contact_name_differs BEFORE INSERT OR UPDATE OF citizen_name, contact_id, contact_name_differs
        ON conversation FOR EACH ROW EXECUTE FUNCTION conversation_contact_name_differs()`);
    await q.query(`
      CREATE FUNCTION contact_name_differs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE conversation SET contact_name_differs = citizen_name IS DISTINCT FROM NEW.name
         WHERE contact_id = NEW.id AND contact_name_differs IS DISTINCT FROM (citizen_name IS DISTINCT FROM NEW.name);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER contact_name_differs AFTER UPDATE OF name ON contact
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION contact_name_differs()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER contact_name_differs ON contact`);
    await q.query(`DROP FUNCTION contact_name_differs()`);
    await q.query(`DROP TRIGGER conversation_contact_name_differs ON conversation`);
    await q.query(`DROP FUNCTION conversation_contact_name_differs()`);
    await q.query(`ALTER TABLE conversation DROP COLUMN contact_name_differs`);
  }
}
