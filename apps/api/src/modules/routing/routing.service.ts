import { Injectable, Logger } from '@nestjs/common';
import {
  CHANNEL_CAPABILITIES,
  CHANNEL_IDENTITY,
  normalizeEmail,
  normalizePhone,
  type ConversationDto,
  type CreateRoutingRuleInput,
  type RoutingActions,
  type RoutingConditionKey,
  type RoutingConditions,
  type RoutingDryRunDto,
  type RoutingDryRunInput,
  type RoutingOutcome,
  type RoutingRuleDto,
  type UpdateRoutingRuleInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database, type AfterCommit } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AgentDirectory } from '../agents/agent-directory.service';
import { toCountedDto } from '../conversations/conversation.mapper';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { LabelService } from '../labels/label.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { DeadlineService } from '../request-types/deadline.service';
import { RoutingRepository, type CompiledRule, type EvaluatedRule, type RoutingFacts } from './routing.repository';

/** The row changes the writer takes. */
type ConversationChanges = Parameters<ConversationWriter['updateConversation']>[2];

/** What a rule is tried on: a new conversation's first message, or a message pasted in a dry run. */
interface Facts {
  channelId: string | null;
  channelKind: string | null;
  requestTypeId: string | null;
  knownTeams: string[];
}

/** The conditions of `rule` that do not hold (none: it matches). */
export function failedConditions(rule: EvaluatedRule, f: Facts): RoutingConditionKey[] {
  const c: RoutingConditions = rule.conditions;
  const failed: RoutingConditionKey[] = [];
  if (c.channelKinds && !(f.channelKind && (c.channelKinds as string[]).includes(f.channelKind))) failed.push('channelKinds');
  if (c.channelIds && !(f.channelId && c.channelIds.includes(f.channelId))) failed.push('channelIds');
  if (c.requestTypeIds && !(f.requestTypeId && c.requestTypeIds.includes(f.requestTypeId))) failed.push('requestTypeIds');
  if (c.words && !rule.words_match) failed.push('words');
  if (c.knownToTeamId && !f.knownTeams.includes(c.knownToTeamId)) failed.push('knownToTeamId');
  return failed;
}

const text = (subject: string | null | undefined, body: string | null | undefined) => `${subject ?? ''}\n${body ?? ''}`;

/** Where a request stands before any rule: what decides which of a rule's actions apply to it. */
interface Arrival {
  /** The service it came to; null when unknown (a dry run given no channel, démarche or service). */
  teamId: string | null;
  /** An agent registered it (a letter): they chose its service, and its démarche if they gave one. */
  registered: boolean;
  /** The démarche chosen on the web form, or given with the letter. */
  chosenTypeId: string | null;
}

/**
 * A rule's actions on a request whose démarche or service someone chose explicitly: an explicit
 * choice wins over a rule.
 * - A request an agent registered (a letter): the agent chose its service, and its démarche when
 *   they gave one.
 * - A citizen who chose their démarche on the web form: that démarche, and the service that
 *   handles it (a rule moving the file elsewhere would leave it a démarche of another service).
 *   Without one, a rule may set both, as on any request.
 * The rule's other actions still apply: priority, labels, and its démarche and assignee when they
 * belong to the service kept (checked as for any rule).
 */
export function keptByChoice(actions: RoutingActions, arrival: Pick<Arrival, 'registered' | 'chosenTypeId'>): RoutingActions {
  if (!arrival.registered && !arrival.chosenTypeId) return actions;
  const { teamId: _service, requestTypeId, ...rest } = actions;
  return arrival.chosenTypeId || !requestTypeId ? rest : { ...rest, requestTypeId };
}

/** An organization's enabled rules, compiled once (RoutingRepository.compile) and kept until they change. */
interface CompiledRules {
  version: string;
  rules: CompiledRule[];
  /** The rules' queries that are not null, in order (what the text is matched against). */
  queries: string[];
  /** Whether a rule looks at the services that already know the citizen. */
  knownTeams: boolean;
}

/** Organizations whose compiled rules are kept (the least recently compiled are dropped beyond). */
const COMPILED_ORGANIZATIONS = 500;

/** Each rule with whether its words are found, from the matches of the compiled queries (in order). */
function evaluated(compiled: CompiledRules, matches: boolean[]): EvaluatedRule[] {
  let q = 0;
  return compiled.rules.map(({ query, ...rule }) => ({
    ...rule,
    words_match: rule.conditions.words ? (query === null ? false : (matches[q++] ?? false)) : null,
  }));
}

/**
 * Routing rules (admins edit them; tried in order on every citizen's new conversation, the first
 * that matches is applied) and automatic assignment within a service (round-robin among agents
 * online, under capacity, not on leave; otherwise the service's queue).
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger('Routing');
  /**
   * Compiled rules per organization. Every routing reads the rules' version in its facts' statement
   * and compiles again when it moved (a change on any instance), so no rule is read per job.
   */
  private readonly compiled = new Map<string, Promise<CompiledRules>>();
  /** Transactions that took their automatic-assignment locks (lockAutoAssignFirst): once each. */
  private readonly assignLocked = new WeakSet<EntityManager>();

  constructor(
    private readonly db: Database,
    private readonly repo: RoutingRepository,
    private readonly writer: ConversationWriter,
    private readonly directory: AgentDirectory,
    private readonly labels: LabelService,
    private readonly deadlines: DeadlineService,
    private readonly realtime: RealtimePublisher,
    private readonly audit: AuditRepository,
    private readonly bus: DomainEvents,
  ) {}

  list(agent: AuthAgent): Promise<RoutingRuleDto[]> {
    return this.repo.list(agent.organizationId);
  }

  /** A rule names things of the organization only: services, agents of that service, démarches, labels, channels. */
  private async check(m: EntityManager, organizationId: string, c: RoutingConditions, a: RoutingActions): Promise<void> {
    const teamOk = async (id: string, field: string) => {
      if (!(await this.directory.team(organizationId, id, m))) throw badRequest('service inconnu', [`${field}: ${id}`]);
    };
    if (c.knownToTeamId) await teamOk(c.knownToTeamId, 'conditions.knownToTeamId');
    for (const id of c.channelIds ?? [])
      if (!(await this.repo.channel(organizationId, id))) throw badRequest('canal inconnu', [`conditions.channelIds: ${id}`]);
    if (a.teamId) await teamOk(a.teamId, 'actions.teamId');
    if (a.labelIds) await this.labels.check(m, organizationId, a.labelIds, 'actions.labelIds');
    if (a.assigneeId) {
      const target = await this.directory.agent(organizationId, a.assigneeId, m);
      if (!target) throw badRequest('agent inconnu ou désactivé', [`actions.assigneeId: ${a.assigneeId}`]);
      if (a.teamId && target.role === 'agent' && !target.teamIds.includes(a.teamId))
        throw new AppError('unprocessable', `${target.name} ne fait pas partie du service choisi par la règle`, [
          `actions.assigneeId: ${a.assigneeId}`,
        ]);
    }
    if (a.requestTypeId) {
      if (!a.teamId) throw badRequest('une démarche se choisit avec le service qui la traite', ['actions.teamId: obligatoire']);
      await this.deadlines.usableType(m, organizationId, a.teamId, a.requestTypeId, 'actions.requestTypeId');
    }
  }

  create(agent: AuthAgent, input: CreateRoutingRuleInput): Promise<RoutingRuleDto> {
    return this.db.tx(async (m) => {
      await this.repo.lockRules(m, agent.organizationId);
      await this.check(m, agent.organizationId, input.conditions, input.actions);
      const count = (await this.repo.list(agent.organizationId, m)).length;
      const position = Math.min(input.position ?? count + 1, count + 1);
      const rule = await this.repo.insert(m, agent.organizationId, { ...input, position });
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'routing_rule.created', data: { id: rule.id } },
        m,
      );
      return rule;
    });
  }

  update(agent: AuthAgent, id: string, input: UpdateRoutingRuleInput): Promise<RoutingRuleDto> {
    return this.db.tx(async (m) => {
      await this.repo.lockRules(m, agent.organizationId);
      const before = await this.repo.find(m, agent.organizationId, id);
      if (!before) throw notFound('règle');
      await this.check(m, agent.organizationId, input.conditions ?? before.conditions, input.actions ?? before.actions);
      await this.repo.update(m, agent.organizationId, id, input);
      if (input.position !== undefined) {
        const ids = (await this.repo.list(agent.organizationId, m)).map((r) => r.id).filter((x) => x !== id);
        ids.splice(Math.min(input.position, ids.length + 1) - 1, 0, id);
        await this.repo.setOrder(m, agent.organizationId, ids);
      }
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'routing_rule.updated', data: { id, ...input } },
        m,
      );
      return (await this.repo.find(m, agent.organizationId, id))!;
    });
  }

  reorder(agent: AuthAgent, ids: string[]): Promise<RoutingRuleDto[]> {
    return this.db.tx(async (m) => {
      await this.repo.lockRules(m, agent.organizationId);
      const current = (await this.repo.list(agent.organizationId, m)).map((r) => r.id);
      if (ids.length !== current.length || new Set(ids).size !== ids.length || !ids.every((x) => current.includes(x)))
        throw badRequest('donnez chaque règle une fois, dans le nouvel ordre', ['ids: toutes les règles, sans doublon']);
      await this.repo.setOrder(m, agent.organizationId, ids);
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'routing_rules.reordered', data: { ids } },
        m,
      );
      return this.repo.list(agent.organizationId, m);
    });
  }

  remove(agent: AuthAgent, id: string): Promise<void> {
    return this.db.tx(async (m) => {
      await this.repo.lockRules(m, agent.organizationId);
      if (!(await this.repo.delete(m, agent.organizationId, id))) throw notFound('règle');
      await this.repo.setOrder(
        m,
        agent.organizationId,
        (await this.repo.list(agent.organizationId, m)).map((r) => r.id),
      );
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'routing_rule.deleted', data: { id } },
        m,
      );
    });
  }

  /**
   * Which rule a pasted message would take, and what it would do to the request: the actions
   * that apply and those that do not, with why, exactly as routeIn decides (outcome). Nothing is
   * written.
   */
  async dryRun(agent: AuthAgent, input: RoutingDryRunInput): Promise<RoutingDryRunDto> {
    const org = agent.organizationId;
    let channelKind = input.channelKind ?? null;
    let channelTeamId: string | null = null;
    if (input.channelId) {
      const channel = await this.repo.channel(org, input.channelId);
      if (!channel) throw badRequest('canal inconnu', [`channelId: ${input.channelId}`]);
      channelKind = channel.kind;
      channelTeamId = channel.team_id;
    }
    if (input.teamId && !(await this.directory.team(org, input.teamId)))
      throw badRequest('service inconnu', [`teamId: ${input.teamId}`]);
    // The démarche chosen is of the service chosen, as the web form and the letter's form check.
    const chosenType = input.requestTypeId
      ? await this.deadlines.usableType(undefined, org, input.teamId ?? null, input.requestTypeId)
      : null;
    let knownTeams: string[] = [];
    if (input.from) {
      const candidates: [string, string][] = [];
      try {
        candidates.push(['email', normalizeEmail(input.from)]);
      } catch {
        /* not an address */
      }
      try {
        const phone = normalizePhone(input.from);
        candidates.push([
          channelKind ? (CHANNEL_IDENTITY[channelKind as keyof typeof CHANNEL_IDENTITY] ?? 'phone') : 'phone',
          phone,
        ]);
      } catch {
        /* not a phone */
      }
      for (const [kind, value] of candidates) {
        const contact = await this.repo.contactByIdentity(org, kind, value);
        if (contact) knownTeams = await this.repo.knownTeams(undefined, contact, null);
        if (contact) break;
      }
    }
    const compiled = await this.compile(org);
    const rules = evaluated(compiled, await this.repo.matches(text(input.subject, input.body), compiled.queries));
    const facts: Facts = {
      channelId: input.channelId ?? null,
      channelKind,
      requestTypeId: input.requestTypeId ?? null,
      knownTeams,
    };
    const results = rules.map((r) => ({ id: r.id, name: r.name, failed: failedConditions(r, facts) }));
    const first = rules.find((_, i) => results[i]!.failed.length === 0);
    const matched = first ? (({ words_match: _, ...dto }) => dto)(first) : null;
    const outcome = matched
      ? await this.outcome(undefined, org, matched.actions, {
          teamId: input.teamId ?? chosenType?.teamId ?? channelTeamId,
          registered: !!channelKind && CHANNEL_CAPABILITIES[channelKind].postal,
          chosenTypeId: chosenType?.id ?? null,
        })
      : null;
    return { matched, outcome, rules: results };
  }

  /**
   * What a rule's actions do to a request arriving as `arrival`: each action that applies and
   * each that does not, with why. One decision for routing (routeIn applies it) and the dry run
   * (which tells it): an explicit choice of service or démarche wins (keptByChoice); the rule's
   * service must still exist; its démarche must be in use and of the service the request ends in;
   * its agent active and (a plain agent) of that service; its labels still exist.
   */
  private async outcome(
    m: EntityManager | undefined,
    organizationId: string,
    actions: RoutingActions,
    arrival: Arrival,
  ): Promise<RoutingOutcome> {
    const kept = keptByChoice(actions, arrival);
    const choice = arrival.registered ? 'agentChoice' : 'citizenChoice';
    const skipped: RoutingOutcome['skipped'] = [];
    let teamId = arrival.teamId;
    let moved = false;
    if (actions.teamId) {
      if (!kept.teamId) skipped.push({ action: 'teamId', reason: choice });
      else if (kept.teamId !== arrival.teamId) {
        if (await this.directory.team(organizationId, kept.teamId, m)) [teamId, moved] = [kept.teamId, true];
        else skipped.push({ action: 'teamId', reason: 'unavailable' });
      }
    }
    let requestTypeId: string | null = null;
    if (actions.requestTypeId) {
      const problem = kept.requestTypeId
        ? await this.deadlines.typeProblem(m, organizationId, teamId, kept.requestTypeId)
        : choice;
      if (problem) skipped.push({ action: 'requestTypeId', reason: problem });
      else requestTypeId = kept.requestTypeId!;
    }
    let assigneeId: string | null = null;
    if (actions.assigneeId) {
      const target = await this.directory.agent(organizationId, actions.assigneeId, m);
      if (!target) skipped.push({ action: 'assigneeId', reason: 'unavailable' });
      else if (target.role === 'agent' && teamId !== null && !target.teamIds.includes(teamId))
        skipped.push({ action: 'assigneeId', reason: 'otherService' });
      else assigneeId = target.id;
    }
    const labelIds = actions.labelIds ? await this.labels.known(m, organizationId, actions.labelIds) : [];
    if (actions.labelIds && labelIds.length < new Set(actions.labelIds).size)
      skipped.push({ action: 'labelIds', reason: 'unavailable' });
    return { teamId, moved, requestTypeId, priority: actions.priority ?? null, assigneeId, labelIds, skipped };
  }

  /** The organization's rules compiled now (read on `m` when given), kept for the next routings. */
  private compile(organizationId: string, m?: EntityManager): Promise<CompiledRules> {
    const compiling = this.repo.compile(organizationId, m).then(({ version, rules }) => ({
      version,
      rules,
      queries: rules.map((r) => r.query).filter((q): q is string => q !== null),
      knownTeams: rules.some((r) => r.conditions.knownToTeamId),
    }));
    this.compiled.delete(organizationId);
    this.compiled.set(organizationId, compiling);
    if (this.compiled.size > COMPILED_ORGANIZATIONS) this.compiled.delete(this.compiled.keys().next().value!);
    compiling.catch(() => {
      if (this.compiled.get(organizationId) === compiling) this.compiled.delete(organizationId);
    });
    return compiling;
  }

  /**
   * Routes a citizen's new conversation once (later calls do nothing), in the caller's
   * transaction: the first matching rule's actions, then automatic assignment in its service.
   */
  async routeIn(m: EntityManager, afterCommit: AfterCommit, organizationId: string, conversationId: string): Promise<void> {
    await this.lockAutoAssignFirst(m, conversationId);
    // The rules as compiled before, unless the facts' statement finds they changed since: then
    // compiled again (on this transaction, so at least as new as that statement saw) and read again.
    let compiled = await (this.compiled.get(organizationId) ?? this.compile(organizationId, m));
    let facts = await this.repo.facts(m, conversationId, compiled.queries, compiled.knownTeams);
    if (facts && !facts.routed && facts.rules_version !== compiled.version) {
      compiled = await this.compile(organizationId, m);
      facts = await this.repo.facts(m, conversationId, compiled.queries, compiled.knownTeams);
    }
    // Routed already (the routing listener's run and the acknowledgement's share the mark, under the
    // conversation's lock): nothing to evaluate.
    if (!facts || facts.routed) return;
    // RGPD art. 18: a file the citizen's limitation freezes (guichet_limited_since, the rule replies,
    // transfers and acknowledgements ask) is stored, not processed: no rule moves it, labels it or
    // assigns it, and no agent is picked. Nor is it marked routed: nothing about it is written. A
    // request the citizen opened since the limitation is theirs (art. 18.2) and is routed, without
    // drawing on their frozen files (known services, previous holder: RoutingRepository).
    if (facts.limited_since) return;
    const rules = evaluated(compiled, facts.matches);
    const f: Facts = {
      channelId: facts.channel_id,
      channelKind: facts.channel_kind,
      requestTypeId: facts.request_type_id ?? facts.form_request_type_id,
      knownTeams: facts.known_teams ?? [],
    };
    const rule = rules.find((r) => failedConditions(r, f).length === 0) ?? null;
    if (!(await this.repo.markRouted(m, conversationId, rule?.id ?? null))) return;
    const tx = { m, afterCommit };
    const changes: ConversationChanges = {};
    let teamId = facts.team_id;
    let assigneeId = facts.assignee_id;
    if (rule) {
      const o = await this.outcome(m, organizationId, rule.actions, {
        teamId: facts.team_id,
        registered: !!facts.registered_by,
        chosenTypeId: facts.form_request_type_id,
      });
      if (o.moved) {
        teamId = changes.teamId = o.teamId!;
        if (assigneeId) assigneeId = changes.assigneeId = null;
        await this.writer.updateConversation(tx, conversationId, { teamId, assigneeId: changes.assigneeId }, true);
      }
      if (o.priority && o.priority !== facts.priority) changes.priority = o.priority;
      if (o.requestTypeId || changes.teamId) {
        Object.assign(
          changes,
          await this.deadlines.changes(m, organizationId, conversationId, null, { typeId: o.requestTypeId }),
        );
      }
      if (o.assigneeId) assigneeId = changes.assigneeId = o.assigneeId;
      if (o.labelIds.length) await this.labels.add(m, organizationId, conversationId, o.labelIds);
    }
    // A returning citizen: their closed file's holder is remembered (routing_resolved), and gets
    // the new one back when the service assigns automatically and they are available.
    const previous = await this.repo.previousHolder(m, conversationId);
    if (previous) await this.repo.rememberResolved(m, conversationId, previous);
    if (!assigneeId) {
      const picked = await this.pick(m, organizationId, teamId, previous);
      if (picked) assigneeId = changes.assigneeId = picked;
    }
    if (!rule && assigneeId === facts.assignee_id) return;
    await this.writer.updateConversation(tx, conversationId, changes, true);
    await this.writer.tellConversation(tx, organizationId, conversationId, (conversation) =>
      this.events(organizationId, conversation, facts),
    );
  }

  private events(organizationId: string, conversation: ConversationDto, before: RoutingFacts): DomainEvent[] {
    const out: DomainEvent[] = [
      domainEvent('conversation.updated', organizationId, {
        conversation,
        change: 'routing',
        previous: { teamId: before.team_id, assigneeId: before.assignee_id, status: before.status },
        // The version is kept (a system change): the counted state before lets screens move a new
        // file from one service's counters to another's.
        before: toCountedDto(before),
      }),
    ];
    if (conversation.teamId !== before.team_id)
      out.push(
        domainEvent('conversation.transferred', organizationId, {
          conversation,
          previousTeamId: before.team_id,
          teamId: conversation.teamId,
          byAgentId: null,
        }),
      );
    if (conversation.assigneeId !== before.assignee_id)
      out.push(
        domainEvent('conversation.assigned', organizationId, {
          conversation,
          previousAssigneeId: before.assignee_id,
          assigneeId: conversation.assigneeId,
          byAgentId: null,
        }),
      );
    return out;
  }

  /**
   * One lock order for routing transactions: the first routing of a transaction takes, before it
   * locks any conversation row, the automatic-assignment locks of every service its batch (a
   * durable listener's, the routing's or the acknowledgement's: up to MAX_BATCH new conversations,
   * of any organizations) may assign in, ordered by key. A batch used to take each service's lock
   * when one of its files got there, after that file's row: two batches of the same new files, or
   * of files for two services in opposite orders, could wait for each other (PostgreSQL found the
   * deadlock, the batch was split and retried). Batches whose files are all routed take none.
   */
  private async lockAutoAssignFirst(m: EntityManager, conversationId: string): Promise<void> {
    if (this.assignLocked.has(m)) return;
    this.assignLocked.add(m);
    const batch = this.bus.durableBatch(m);
    const ids = new Set<string>([conversationId]);
    for (const e of batch ?? []) if (e.conversationId) ids.add(e.conversationId);
    await this.repo.lockAutoAssignFor(m, [...ids].sort());
  }

  /**
   * Round-robin in a service that asked for it: the next agent after the last one picked (in id
   * order) among those online, active, not on leave and under capacity; null: the service's
   * queue. `preferred` (a returning citizen's previous holder) is taken first when among them,
   * without moving the round. Under the service's lock until the caller's transaction ends.
   */
  async pick(m: EntityManager, organizationId: string, teamId: string, preferred?: string | null): Promise<string | null> {
    // A service that does not assign automatically takes no lock: routings into it (from any
    // number of jobs at once) do not wait for one another.
    if (!(await this.repo.autoAssigns(m, teamId))) return null;
    const online = await this.realtime.onlineAgents(organizationId);
    if (!online.length) return null;
    const state = await this.repo.lockTeam(m, teamId);
    if (!state.auto_assign) return null;
    const free = (await this.repo.candidates(m, organizationId, teamId, online)).filter((a) => a.load < a.capacity);
    if (!free.length) return null;
    if (preferred && free.some((a) => a.id === preferred)) return preferred;
    const next = free.find((a) => state.last_agent_id !== null && a.id > state.last_agent_id) ?? free[0]!;
    await this.repo.setLastPick(m, teamId, next.id);
    return next.id;
  }

  async setAutoAssign(agent: AuthAgent, teamId: string, on: boolean): Promise<void> {
    await this.db.tx(async (m) => {
      if (!(await this.directory.team(agent.organizationId, teamId, m))) throw notFound('service');
      await this.repo.setAutoAssign(m, teamId, on);
    });
  }

  async setLeave(agent: AuthAgent, agentId: string, on: boolean): Promise<void> {
    await this.db.tx(async (m) => {
      if (!(await this.directory.agent(agent.organizationId, agentId, m))) throw notFound('agent');
      await this.repo.setLeave(m, agentId, on);
    });
  }

  async settings(agent: AuthAgent): Promise<{ autoAssignTeamIds: string[]; onLeaveAgentIds: string[] }> {
    const [autoAssignTeamIds, onLeaveAgentIds] = await Promise.all([
      this.repo.autoAssignTeams(agent.organizationId),
      this.repo.onLeave(agent.organizationId),
    ]);
    return { autoAssignTeamIds, onLeaveAgentIds };
  }

  /** Logged without anything personal. */
  failed(conversationId: string, e: unknown): void {
    this.logger.warn(`routage de ${conversationId} : ${e instanceof Error ? e.name : typeof e}`);
  }
}
