import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deadline warnings (issue 13): the assignee and the service's supervisors are told when a file's
 * due date comes within 48 hours and when it has passed, once per stage and due date (a
 * recomputed date is warned of again); supervisors get one digest mail a day of their services'
 * files overdue or due soon. `deadline_warning` says what was told, `deadline_digest` which day's
 * digest an agent got, so that a job run twice tells nothing twice.
 */
export class DeadlineWarnings1764871000000 implements MigrationInterface {
  name = 'DeadlineWarnings1764871000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deadline_warning (
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        stage text NOT NULL CHECK (stage IN ('soon', 'overdue')),
        due_at timestamptz NOT NULL,
        warned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (conversation_id, stage, due_at)
      )`);
    await q.query(`
      CREATE TABLE deadline_digest (
        agent_id uuid NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
        day date NOT NULL,
        files integer NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, day)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deadline_digest`);
    await q.query(`DROP TABLE deadline_warning`);
  }
}
