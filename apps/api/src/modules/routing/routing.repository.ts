import { Injectable } from '@nestjs/common';
import type {
  ChannelKind,
  ConversationStatus,
  Priority,
  RoutingActions,
  RoutingConditions,
  RoutingRuleDto,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

interface RuleRow {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  conditions: RoutingConditions;
  actions: RoutingActions;
}

const toDto = (r: RuleRow): RoutingRuleDto => ({
  id: r.id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  conditions: r.conditions,
  actions: r.actions,
});

const COLUMNS = 'id, name, position, enabled, conditions, actions';

/** What the rules look at in a new conversation (its first inbound message). */
export interface RoutingFacts {
  id: string;
  organization_id: string;
  team_id: string;
  assignee_id: string | null;
  contact_id: string;
  status: ConversationStatus;
  priority: Priority;
  subject: string | null;
  request_type_id: string | null;
  channel_id: string | null;
  channel_kind: ChannelKind | null;
  body: string | null;
  form_request_type_id: string | null;
  /** The agent who registered the request (a letter): they chose its service, and its démarche if given. */
  registered_by: string | null;
  routed: boolean;
  rules_version: string;
  /** Whether the text matches each query given, in order. */
  matches: boolean[];
  /**
   * The services where the citizen has another file, when asked — their files a limitation
   * freezes left out (RGPD art. 18: stored, not used to route a new request).
   */
  known_teams: string[] | null;
  /**
   * Since when the citizen's limitation freezes this conversation (guichet_limited_since), null
   * when it may be processed: then it is not routed at all.
   */
  limited_since: Date | null;
  /** With status, team and assignee: what the counters read of it before routing (toCountedDto). */
  callback_needed: boolean;
  decision_due_at: Date | null;
  response_due_at: Date | null;
  first_response_at: Date | null;
  version: number;
}

/** A rule as the evaluation sees it: whether its words are found in the text (null: it has none). */
export type EvaluatedRule = RoutingRuleDto & { words_match: boolean | null };

/** An enabled rule with its words compiled into one text search query (null: none to look for). */
export type CompiledRule = RoutingRuleDto & { query: string | null };

/**
 * The version of an organization's rules ($1): every change of a rule moves it (a new or changed
 * rule's updated_at is the clock's time when it is written, under the rules' lock, so later than
 * any change committed before; a removal lowers the count).
 */
const RULES_VERSION = `(SELECT count(*)::text || '/' || coalesce(extract(epoch FROM max(rv.updated_at))::text, '')
                          FROM routing_rule rv WHERE rv.organization_id = $1)`;

/** The advisory lock of a service's automatic assignment (lockTeam, lockAutoAssignFor). */
const AUTO_ASSIGN_KEY = (teamId: string) => `hashtextextended('auto-assign:' || ${teamId}, 0)`;

/** Routing rules, the routing marks, automatic assignment's settings and state (migration Routing1764820000100). */
@Injectable()
export class RoutingRepository {
  constructor(private readonly db: Database) {}

  async list(organizationId: string, m?: EntityManager): Promise<RoutingRuleDto[]> {
    const rows = await this.db.query<RuleRow>(
      `SELECT ${COLUMNS} FROM routing_rule WHERE organization_id = $1 ORDER BY position`,
      [organizationId],
      m,
    );
    return rows.map(toDto);
  }

  async find(m: EntityManager, organizationId: string, id: string): Promise<RoutingRuleDto | null> {
    const [row] = await this.db.query<RuleRow>(
      `SELECT ${COLUMNS} FROM routing_rule WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
      m,
    );
    return row ? toDto(row) : null;
  }

  /** Serializes the changes of one organization's rules (positions). */
  async lockRules(m: EntityManager, organizationId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`routing-rules:${organizationId}`]);
  }

  async insert(
    m: EntityManager,
    organizationId: string,
    r: { name: string; enabled: boolean; conditions: RoutingConditions; actions: RoutingActions; position: number },
  ): Promise<RoutingRuleDto> {
    await m.query(
      `UPDATE routing_rule SET position = position + 1, updated_at = clock_timestamp() WHERE organization_id = $1 AND position >= $2`,
      [organizationId, r.position],
    );
    const [row] = await this.db.query<RuleRow>(
      `INSERT INTO routing_rule (organization_id, name, enabled, conditions, actions, position, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING ${COLUMNS}`,
      [organizationId, r.name, r.enabled, JSON.stringify(r.conditions), JSON.stringify(r.actions), r.position],
      m,
    );
    return toDto(row!);
  }

  async update(
    m: EntityManager,
    organizationId: string,
    id: string,
    c: { name?: string; enabled?: boolean; conditions?: RoutingConditions; actions?: RoutingActions },
  ): Promise<void> {
    await m.query(
      `UPDATE routing_rule SET name = coalesce($3, name), enabled = coalesce($4, enabled),
              conditions = coalesce($5::jsonb, conditions), actions = coalesce($6::jsonb, actions),
              updated_at = clock_timestamp()
        WHERE organization_id = $1 AND id = $2`,
      [
        organizationId,
        id,
        c.name ?? null,
        c.enabled ?? null,
        c.conditions ? JSON.stringify(c.conditions) : null,
        c.actions ? JSON.stringify(c.actions) : null,
      ],
    );
  }

  /** Numbers the organization's rules 1..n in the order of `ids` (all of them). */
  async setOrder(m: EntityManager, organizationId: string, ids: string[]): Promise<void> {
    await m.query(
      `UPDATE routing_rule r SET position = o.n, updated_at = clock_timestamp() FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, n)
        WHERE r.organization_id = $1 AND r.id = o.id`,
      [organizationId, ids],
    );
  }

  async delete(m: EntityManager, organizationId: string, id: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM routing_rule WHERE organization_id = $1 AND id = $2 RETURNING id`,
      [organizationId, id],
      m,
    );
    return rows.length > 0;
  }

  /**
   * The organization's enabled rules in order, each with its words compiled once into one text
   * search query (its words' phrases joined by OR, with search's French text configuration
   * guichet_fr: accents and endings ignored; null: no word left to look for), and the version of
   * the rules they were read at (rulesVersion, in the same snapshot).
   */
  async compile(organizationId: string, m?: EntityManager): Promise<{ version: string; rules: CompiledRule[] }> {
    const rows = await this.db.query<RuleRow & { query: string | null; version: string }>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `r.${c}`)
        .join(', ')},
              CASE WHEN r.conditions ? 'words' THEN (
                SELECT string_agg('(' || q::text || ')', ' | ' ORDER BY w.n)
                  FROM jsonb_array_elements_text(r.conditions->'words') WITH ORDINALITY w(word, n),
                       phraseto_tsquery('guichet_fr', w.word) q
                 WHERE numnode(q) > 0)
              END AS query,
              v.version
         FROM (SELECT ${RULES_VERSION} AS version) v
         LEFT JOIN routing_rule r ON r.organization_id = $1 AND r.enabled
        ORDER BY r.position`,
      [organizationId],
      m,
    );
    return {
      version: rows[0]!.version,
      rules: rows.filter((r) => r.id !== null).map((r) => ({ ...toDto(r), query: r.query })),
    };
  }

  /** Whether `text` matches each of `queries` (compiled by `compile`), with guichet_fr. */
  async matches(text: string, queries: string[]): Promise<boolean[]> {
    if (!queries.length) return [];
    const [row] = await this.db.query<{ matches: boolean[] }>(
      `SELECT ARRAY(SELECT d.v @@ u.q::tsquery FROM unnest($2::text[]) WITH ORDINALITY u(q, i) ORDER BY u.i) AS matches
         FROM (SELECT to_tsvector('guichet_fr', $1) AS v) d`,
      [text, queries],
    );
    return row!.matches;
  }

  /**
   * A new conversation's facts, its row locked; null when gone. With them, read in the same
   * statement: whether it is routed already, the version of its organization's rules, whether its
   * subject and first message match each of `queries` (compiled by `compile`, the text made into a
   * search vector once), and, when `knownTeams`, the services where its citizen has another file
   * (not one their limitation freezes).
   */
  async facts(m: EntityManager, conversationId: string, queries: string[], knownTeams: boolean): Promise<RoutingFacts | null> {
    const [row] = await this.db.query<RoutingFacts>(
      `SELECT c.id, c.organization_id, c.team_id, c.assignee_id, c.contact_id, c.status, c.priority, c.subject, c.request_type_id,
              c.callback_needed, c.decision_due_at, c.response_due_at, c.first_response_at, c.version,
              f.channel_id, ch.kind AS channel_kind, f.body, f.meta->>'requestTypeId' AS form_request_type_id,
              f.meta->>'registeredBy' AS registered_by,
              EXISTS (SELECT 1 FROM conversation_routing cr WHERE cr.conversation_id = c.id) AS routed,
              ${RULES_VERSION.replace('$1', 'c.organization_id')} AS rules_version,
              ARRAY(SELECT d.v @@ u.q::tsquery FROM unnest($2::text[]) WITH ORDINALITY u(q, i) ORDER BY u.i) AS matches,
              CASE WHEN $3::boolean THEN ARRAY(SELECT DISTINCT o.team_id FROM conversation o
                                                WHERE o.contact_id = c.contact_id AND o.id <> c.id
                                                  AND (lim.citizen IS NULL OR guichet_limited_since(o.contact_id, o.id) IS NULL))
              END AS known_teams,
              CASE WHEN lim.citizen IS NOT NULL THEN guichet_limited_since(c.contact_id, c.id) END AS limited_since
         FROM conversation c
         -- Whether the citizen is limited at all (a null conversation is frozen): one look-up, and
         -- the per-file rule only for a limited citizen's files.
         CROSS JOIN LATERAL (SELECT guichet_limited_since(c.contact_id, NULL) AS citizen) lim
         LEFT JOIN LATERAL (SELECT m.channel_id, m.body, m.meta FROM message m
                             WHERE m.conversation_id = c.id AND m.direction = 'inbound'
                             ORDER BY m.created_at, m.id LIMIT 1) f ON true
         LEFT JOIN channel ch ON ch.id = f.channel_id
         LEFT JOIN LATERAL (SELECT to_tsvector('guichet_fr', coalesce(c.subject, '') || E'\\n' || coalesce(f.body, '')) AS v
                             WHERE cardinality($2::text[]) > 0) d ON true
        WHERE c.id = $1
          FOR UPDATE OF c`,
      [conversationId, queries, knownTeams],
      m,
    );
    return row ?? null;
  }

  /** The services where this citizen has another file. */
  async knownTeams(m: EntityManager | undefined, contactId: string, exceptConversationId: string | null): Promise<string[]> {
    const rows = await this.db.query<{ team_id: string }>(
      `SELECT DISTINCT team_id FROM conversation WHERE contact_id = $1 AND ($2::uuid IS NULL OR id <> $2)`,
      [contactId, exceptConversationId],
      m,
    );
    return rows.map((r) => r.team_id);
  }

  /** The citizen with this identity in the organization (a dry run's sender), if known. */
  async contactByIdentity(organizationId: string, kind: string, value: string): Promise<string | null> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `SELECT contact_id FROM contact_identity WHERE organization_id = $1 AND kind = $2 AND value = $3`,
      [organizationId, kind, value],
    );
    return row?.contact_id ?? null;
  }

  /** A channel of the organization: its kind and the service its requests arrive in; null when unknown. */
  async channel(organizationId: string, channelId: string): Promise<{ kind: ChannelKind; team_id: string } | null> {
    const [row] = await this.db.query<{ kind: ChannelKind; team_id: string }>(
      `SELECT kind, team_id FROM channel WHERE organization_id = $1 AND id = $2`,
      [organizationId, channelId],
    );
    return row ?? null;
  }

  /** Marks the conversation routed (by `ruleId`, or by no rule); false when it already was. */
  async markRouted(m: EntityManager, conversationId: string, ruleId: string | null): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO conversation_routing (conversation_id, rule_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING conversation_id`,
      [conversationId, ruleId],
      m,
    );
    return rows.length > 0;
  }

  // ── Automatic assignment ────────────────────────────────────────────────

  async autoAssignTeams(organizationId: string): Promise<string[]> {
    const rows = await this.db.query<{ team_id: string }>(
      `SELECT rt.team_id FROM routing_team rt JOIN team t ON t.id = rt.team_id WHERE t.organization_id = $1 AND rt.auto_assign`,
      [organizationId],
    );
    return rows.map((r) => r.team_id);
  }

  /** Whether the service assigns automatically (read without its lock). */
  async autoAssigns(m: EntityManager, teamId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM routing_team WHERE team_id = $1 AND auto_assign`, [teamId], m);
    return rows.length > 0;
  }

  async setAutoAssign(m: EntityManager, teamId: string, on: boolean): Promise<void> {
    await m.query(
      `INSERT INTO routing_team (team_id, auto_assign) VALUES ($1, $2) ON CONFLICT (team_id) DO UPDATE SET auto_assign = $2`,
      [teamId, on],
    );
  }

  /**
   * The automatic-assignment locks (lockTeam's) of every service that assigns automatically in
   * the organizations of these conversations not routed yet, taken in one order (by key) until the
   * transaction ends; returns how many. Taken first, before any of the conversations' rows, by any
   * transaction that routes several of them, no two such transactions wait for each other in a cycle.
   */
  async lockAutoAssignFor(m: EntityManager, conversationIds: string[]): Promise<number> {
    const keys = await this.db.query<{ key: string }>(
      `SELECT DISTINCT ${AUTO_ASSIGN_KEY('rt.team_id')} AS key
         FROM conversation c
         JOIN team t ON t.organization_id = c.organization_id
         JOIN routing_team rt ON rt.team_id = t.id AND rt.auto_assign
        WHERE c.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM conversation_routing cr WHERE cr.conversation_id = c.id)
        ORDER BY key`,
      [conversationIds],
      m,
    );
    for (const { key } of keys) await m.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [key]);
    return keys.length;
  }

  /**
   * One automatic assignment in a service at a time, until the transaction ends: the loads read
   * next include every assignment committed before (two new files never both fill one agent).
   */
  async lockTeam(m: EntityManager, teamId: string): Promise<{ auto_assign: boolean; last_agent_id: string | null }> {
    await m.query(`SELECT pg_advisory_xact_lock(${AUTO_ASSIGN_KEY('$1::uuid')})`, [teamId]);
    const [row] = await this.db.query<{ auto_assign: boolean; last_agent_id: string | null }>(
      `SELECT auto_assign, last_agent_id FROM routing_team WHERE team_id = $1`,
      [teamId],
      m,
    );
    return row ?? { auto_assign: false, last_agent_id: null };
  }

  /**
   * The service's agents among `online` who may take a file: active, not on leave, with their
   * capacity and how many files in progress (open, pending) they hold; in id order.
   */
  async candidates(
    m: EntityManager,
    organizationId: string,
    teamId: string,
    online: string[],
  ): Promise<{ id: string; capacity: number; load: number }[]> {
    return this.db.query(
      `SELECT a.id, a.capacity,
              (SELECT count(*)::int FROM conversation c
                WHERE c.organization_id = $1 AND c.assignee_id = a.id AND c.status IN ('open', 'pending')) AS load
         FROM agent a JOIN agent_team at ON at.agent_id = a.id AND at.team_id = $2
        WHERE a.organization_id = $1 AND a.active AND a.id = ANY($3::uuid[])
          AND NOT EXISTS (SELECT 1 FROM agent_leave l WHERE l.agent_id = a.id)
        ORDER BY a.id`,
      [organizationId, teamId, online],
      m,
    );
  }

  async setLastPick(m: EntityManager, teamId: string, agentId: string): Promise<void> {
    await m.query(
      `INSERT INTO routing_team (team_id, last_agent_id) VALUES ($1, $2) ON CONFLICT (team_id) DO UPDATE SET last_agent_id = $2`,
      [teamId, agentId],
    );
  }

  async onLeave(organizationId: string): Promise<string[]> {
    const rows = await this.db.query<{ agent_id: string }>(
      `SELECT l.agent_id FROM agent_leave l JOIN agent a ON a.id = l.agent_id WHERE a.organization_id = $1`,
      [organizationId],
    );
    return rows.map((r) => r.agent_id);
  }

  async setLeave(m: EntityManager, agentId: string, on: boolean): Promise<void> {
    if (on) await m.query(`INSERT INTO agent_leave (agent_id) VALUES ($1) ON CONFLICT DO NOTHING`, [agentId]);
    else await m.query(`DELETE FROM agent_leave WHERE agent_id = $1`, [agentId]);
  }

  /** Whether this agent is on leave. */
  async isOnLeave(m: EntityManager, agentId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM agent_leave WHERE agent_id = $1`, [agentId], m);
    return rows.length > 0;
  }

  /** Files in progress (open, pending) this agent holds. */
  async load(m: EntityManager, organizationId: string, agentId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversation WHERE organization_id = $1 AND assignee_id = $2 AND status IN ('open', 'pending')`,
      [organizationId, agentId],
      m,
    );
    return row?.n ?? 0;
  }

  // ── Files that come back ────────────────────────────────────────────────

  /**
   * A returning citizen: who held the closed file (resolved, closed, transmise) that this new
   * conversation answers, when it is the same citizen's (the ingest links it as possibly related
   * after a reply, a quoted reference or a thread on a file that is closed). Not when the citizen's
   * limitation freezes that file (RGPD art. 18): its holder is its data, stored and not used.
   */
  async previousHolder(m: EntityManager, conversationId: string): Promise<string | null> {
    const [row] = await this.db.query<{ assignee_id: string }>(
      `SELECT p.assignee_id FROM conversation c
         JOIN conversation p ON p.id = c.possibly_related_to_id AND p.contact_id = c.contact_id
        WHERE c.id = $1 AND p.status IN ('resolved', 'closed') AND p.assignee_id IS NOT NULL
          AND guichet_limited_since(p.contact_id, p.id) IS NULL`,
      [conversationId],
      m,
    );
    return row?.assignee_id ?? null;
  }

  /** The previous holder recorded for a conversation (the citizen's earlier file's assignee). */
  async resolvedHolder(m: EntityManager | undefined, conversationId: string): Promise<string | null> {
    const [row] = await this.db.query<{ agent_id: string | null }>(
      `SELECT agent_id FROM routing_resolved WHERE conversation_id = $1`,
      [conversationId],
      m,
    );
    return row?.agent_id ?? null;
  }

  async rememberResolved(m: EntityManager, conversationId: string, agentId: string | null): Promise<void> {
    await m.query(
      `INSERT INTO routing_resolved (conversation_id, agent_id) VALUES ($1, $2)
       ON CONFLICT (conversation_id) DO UPDATE SET agent_id = $2`,
      [conversationId, agentId],
    );
  }

  /** Takes (deletes) the remembered holder of a resolved file; undefined when it was not remembered. */
  async takeResolved(m: EntityManager, conversationId: string): Promise<string | null | undefined> {
    const [row] = await this.db.query<{ agent_id: string | null }>(
      `DELETE FROM routing_resolved WHERE conversation_id = $1 RETURNING agent_id`,
      [conversationId],
      m,
    );
    return row ? row.agent_id : undefined;
  }
}
