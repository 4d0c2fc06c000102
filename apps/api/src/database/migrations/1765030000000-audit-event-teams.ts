import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The services an audit event belongs to, fixed when it is written (issue 16): for an event about
 * a conversation, the conversation's service at that moment; for an event about a citizen alone (a
 * file viewed, exported, merged), the services of the citizen's conversations at that moment. A
 * transfer afterwards moves the file, not its past: État civil's supervisor keeps seeing who read
 * the file while it was État civil's, and Scolarité sees only what happened since it arrived.
 *
 * Filled by a trigger, so every path writing the audit (the group commit of accesses, the changes,
 * the retention job's batches) records it in the same statement, with no read of its own.
 */
export class AuditEventTeams1765030000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN team_ids uuid[]`);
    await q.query(`
      CREATE FUNCTION guichet_audit_event_teams() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.team_ids IS NULL THEN
          IF NEW.conversation_id IS NOT NULL THEN
            NEW.team_ids := ARRAY(SELECT c.team_id FROM conversation c WHERE c.id = NEW.conversation_id);
          ELSIF NEW.contact_id IS NOT NULL THEN
            NEW.team_ids := ARRAY(SELECT DISTINCT c.team_id FROM conversation c
                                   WHERE c.contact_id = NEW.contact_id AND c.organization_id = NEW.organization_id);
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_teams BEFORE INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION guichet_audit_event_teams()`);
    // The events written before: the services as they are now, the best that is known of them.
    await q.query(`
      UPDATE audit_event e SET team_ids = ARRAY(SELECT c.team_id FROM conversation c WHERE c.id = e.conversation_id)
       WHERE e.conversation_id IS NOT NULL`);
    await q.query(`
      UPDATE audit_event e SET team_ids = ARRAY(SELECT DISTINCT c.team_id FROM conversation c
                                                 WHERE c.contact_id = e.contact_id AND c.organization_id = e.organization_id)
       WHERE e.conversation_id IS NULL AND e.contact_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_event_teams ON audit_event`);
    await q.query(`DROP FUNCTION guichet_audit_event_teams()`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN team_ids`);
  }
}
