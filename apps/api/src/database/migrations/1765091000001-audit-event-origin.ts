import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "From where" in the audit (issue 16): each event written while serving an agent's request
 * carries the request's IP address (`ip`, as Express reads it behind the configured proxies) and
 * the agent's session (`session_id`: agent_session.public_id, the id the agent's session list
 * shows, never the token or its hash). Events of the jobs (retention, imports) have neither.
 * Plain columns, not keys of `data`: the viewer and the CSV export show them for every event.
 *
 * The viewer's filter by agent gets the time-ordered key of the look-ups by citizen and by file
 * (AuditEventTimeOrderedKeys1765082000000): ((id >> 16), agent_id, id) instead of (organization_id,
 * agent_id, created_at DESC), so a record goes into the current block's part of the index, not
 * beside each agent's newest event (one hot page per agent, each written whole to the WAL after a
 * checkpoint). A look-up by agent visits the blocks (B-tree skip scan) and reads that agent's rows.
 * agent_id is a uuid of one organization: the organization needs no place in the key.
 */
export class AuditEventOrigin1765091000001 implements MigrationInterface {
  name = 'AuditEventOrigin1765091000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN ip inet, ADD COLUMN session_id uuid`);
    await q.query(
      `CREATE INDEX audit_event_agent_block_idx ON audit_event ((id >> 16), agent_id, id) WHERE agent_id IS NOT NULL`,
    );
    await q.query(`DROP INDEX audit_event_agent_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX audit_event_agent_idx ON audit_event (organization_id, agent_id, created_at DESC)`);
    await q.query(`DROP INDEX audit_event_agent_block_idx`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN ip, DROP COLUMN session_id`);
  }
}
