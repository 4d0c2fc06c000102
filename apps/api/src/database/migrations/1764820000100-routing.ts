import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing rules and automatic assignment (issue 13): rules per organization tried in order on
 * every new conversation; which rule routed a conversation (and that it was routed: once);
 * automatic assignment switched on per service, the round-robin's last pick per service, and
 * agents on leave.
 */
export class Routing1764820000100 implements MigrationInterface {
  name = 'Routing1764820000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE routing_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
        position integer NOT NULL CHECK (position >= 1),
        enabled boolean NOT NULL DEFAULT true,
        conditions jsonb NOT NULL DEFAULT '{}',
        actions jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT routing_rule_position_key UNIQUE (organization_id, position) DEFERRABLE INITIALLY DEFERRED
      )`);
    await q.query(`
      CREATE TABLE conversation_routing (
        conversation_id uuid PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
        rule_id uuid REFERENCES routing_rule(id) ON DELETE SET NULL,
        routed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE routing_team (
        team_id uuid PRIMARY KEY REFERENCES team(id) ON DELETE CASCADE,
        auto_assign boolean NOT NULL DEFAULT false,
        last_agent_id uuid REFERENCES agent(id) ON DELETE SET NULL
      )`);
    await q.query(`
      CREATE TABLE agent_leave (
        agent_id uuid PRIMARY KEY REFERENCES agent(id) ON DELETE CASCADE,
        since timestamptz NOT NULL DEFAULT now()
      )`);
    // A resolved file's holder, for when the citizen answers it (it goes back to them if available).
    await q.query(`
      CREATE TABLE routing_resolved (
        conversation_id uuid PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
        agent_id uuid REFERENCES agent(id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS routing_resolved, agent_leave, routing_team, conversation_routing, routing_rule`);
  }
}
