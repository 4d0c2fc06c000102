import { Injectable } from '@nestjs/common';
import { effectiveOpeningHours, openingMinutesBetween } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import {
  callContribution,
  conversationContribution,
  labelled,
  mergeAgentDurations,
  mergeAgents,
  mergeDaily,
  mergeDurations,
  type CallFact,
  type ConversationMoves,
  type DailyDelta,
} from './report-facts';
import { ReportsRepository, type ConversationSource, type StoredConversationFact } from './reports.repository';

const CONVERSATION_EVENTS = [
  'conversation.created',
  'conversation.updated',
  'conversation.status_changed',
  'conversation.transferred',
  'message.sent',
  'message.received',
  'message.updated',
] as const;
type Watched = (typeof CONVERSATION_EVENTS)[number];

/**
 * Which events can move a report: a new file, a status, a service or a démarche that changed, an
 * agent's first reply, a citizen's survey answer, a telephone call and its outcome, and a citizen writing back to a file that
 * had an answer (it may have reopened it). Other messages of the ingest cost no job.
 */
export function movesReports(e: DomainEvent): boolean {
  switch (e.type) {
    case 'conversation.created':
    case 'conversation.status_changed':
    case 'conversation.transferred':
      return true;
    case 'conversation.updated':
      return (
        e.change === 'agent' ||
        e.change === 'routing' ||
        e.change === 'deadlines' ||
        e.change === 'satisfaction' ||
        (e.change === 'message' && e.conversation.status === 'open' && e.conversation.firstResponseAt !== null)
      );
    case 'message.sent':
      return e.message.kind !== 'note';
    case 'message.received':
      return e.message.kind === 'call';
    case 'message.updated':
      return e.change === 'call';
    default:
      return false;
  }
}

/**
 * Keeps the report aggregates current, from the durable queue (exactly once per event, in its own
 * transaction). Each run recomputes the fact of the conversation (and call) from its row as it is
 * now, and moves the daily rows by the difference with the fact stored before: events may arrive
 * in any order or be retried, the aggregates end equal to what the rows say. One job at a time
 * (`chains: 1`): every job writes the same daily and monthly rows, so a second one would only
 * wait for the first's locks (or deadlock with it, a batch locking its rows event by event).
 */
@Injectable()
export class ReportAggregatesListener {
  constructor(private readonly repo: ReportsRepository) {}

  @OnDomainEvent([...CONVERSATION_EVENTS], { durable: true, when: movesReports, chains: 1 })
  async onEvent(e: DomainEvent<Watched>, m: EntityManager): Promise<void> {
    const moves = await this.conversationMoves(m, e.conversationId);
    if (e.messageId && (e.type === 'message.received' || e.type === 'message.updated' || e.type === 'message.sent')) {
      if (e.message.kind === 'call') moves.daily.push(...(await this.callMoves(m, e.messageId)));
    }
    await this.apply(m, moves);
  }

  /** Recounts one conversation (also called by the survey, in its answer's transaction). */
  async refreshConversation(m: EntityManager, conversationId: string): Promise<void> {
    await this.apply(m, await this.conversationMoves(m, conversationId));
  }

  /**
   * One write of the aggregates per job, whatever moved: each writer then locks the daily rows,
   * the monthly rows and the histograms in the same order (see ReportsRepository.addDaily).
   */
  private async apply(m: EntityManager, moves: ConversationMoves & { labels?: Labelled }): Promise<void> {
    await this.repo.addDaily(m, mergeDaily(moves.daily));
    await this.repo.addDurations(m, mergeDurations(moves.durations));
    if (moves.labels) await this.repo.addLabelled(m, mergeDaily(moves.labels.daily), mergeDurations(moves.labels.durations));
    await this.repo.addAgents(m, mergeAgents(moves.agents), mergeAgentDurations(moves.agentDurations));
  }

  /** What the conversation's new fact moves, its fact saved. */
  private async conversationMoves(m: EntityManager, conversationId: string): Promise<ConversationMoves & { labels: Labelled }> {
    const moves: ConversationMoves & { labels: Labelled } = {
      daily: [],
      durations: [],
      agents: [],
      agentDurations: [],
      labels: { daily: [], durations: [] },
    };
    const { daily } = moves;
    await this.repo.lock(m, conversationId);
    const source = await this.repo.conversationSource(m, conversationId);
    if (!source) return moves;
    const before = await this.repo.conversationFact(m, conversationId);
    const channel = before?.channel_kind ?? (await this.repo.originChannel(m, conversationId));
    const after = await this.factOf(m, conversationId, source, channel, before);
    const add = (c: ConversationMoves, labelIds: string[]) => {
      moves.daily.push(...c.daily);
      moves.durations.push(...c.durations);
      moves.agents.push(...c.agents);
      moves.agentDurations.push(...c.agentDurations);
      moves.labels.daily.push(...labelled(c.daily, labelIds));
      moves.labels.durations.push(...labelled(c.durations, labelIds));
    };
    if (before) {
      add(conversationContribution(before, -1), before.label_ids);
      // Counted as resolved before, and now open or resolved at another time: reopened once in between.
      if (before.resolved_at && +before.resolved_at !== +(after.resolved_at ?? 0)) {
        const reopened: DailyDelta = {
          organization_id: after.organization_id,
          day: parisDay(new Date()),
          team_id: after.team_id,
          channel_kind: after.channel_kind,
          request_type_id: after.request_type_id,
          counters: { reopened: 1 },
        };
        daily.push(reopened);
        moves.labels.daily.push(...labelled([reopened], after.label_ids));
      }
    }
    add(conversationContribution(after, 1), after.label_ids);
    await this.repo.saveConversationFact(m, conversationId, after);
    return moves;
  }

  /**
   * The fact of a conversation from its row: who answered first and the times in the service's
   * opening hours are worked out when the answer or the resolution happens, then kept as they
   * were (a later change of opening hours or of service does not rewrite the past).
   */
  private async factOf(
    m: EntityManager,
    conversationId: string,
    source: ConversationSource,
    channel: string,
    before: StoredConversationFact | null,
  ): Promise<StoredConversationFact> {
    const {
      created_at,
      first_response_at,
      assignee_id,
      opening_hours,
      organization_hours,
      alsace_moselle,
      closures,
      label_ids,
      ...fact
    } = source;
    const opening = (to: Date) =>
      openingMinutesBetween(created_at, to, effectiveOpeningHours(opening_hours, organization_hours), {
        alsaceMoselle: alsace_moselle,
        closures,
      });
    const sameAnswer =
      before?.first_response_day === source.first_response_day &&
      before?.first_response_minutes === source.first_response_minutes;
    const sameResolution = !!before?.resolved_at && !!source.resolved_at && +before.resolved_at === +source.resolved_at;
    let firstResponseAgent: string | null = null;
    let firstResponseOpen: number | null = null;
    if (first_response_at) {
      firstResponseAgent =
        sameAnswer && before!.first_response_agent_id
          ? before!.first_response_agent_id
          : await this.repo.firstResponder(m, conversationId);
      firstResponseOpen =
        sameAnswer && before!.first_response_open_minutes !== null
          ? before!.first_response_open_minutes
          : opening(first_response_at);
    }
    let resolutionOpen: number | null = null;
    let handledBy: string | null = null;
    if (source.resolved_at && source.resolved_day) {
      resolutionOpen =
        sameResolution && before!.resolution_open_minutes !== null
          ? before!.resolution_open_minutes
          : opening(source.resolved_at);
      handledBy = sameResolution && before!.handled_by ? before!.handled_by : assignee_id;
    }
    return {
      ...fact,
      channel_kind: channel,
      label_ids: label_ids ?? [],
      first_response_agent_id: firstResponseAgent,
      first_response_open_minutes: firstResponseOpen,
      handled_by: handledBy,
      resolution_open_minutes: resolutionOpen,
    };
  }

  /**
   * Incoming calls from Twilio or a switchboard: received, answered, missed; an answered outgoing
   * call settles the missed calls before it in the same file (called back, with the delay).
   * Hand-logged calls (an agent noting a call or a counter visit) are not telephony statistics.
   */
  async refreshCall(m: EntityManager, messageId: string): Promise<void> {
    await this.apply(m, { daily: await this.callMoves(m, messageId), durations: [], agents: [], agentDurations: [] });
  }

  private async callMoves(m: EntityManager, messageId: string): Promise<DailyDelta[]> {
    const daily: DailyDelta[] = [];
    const s = await this.repo.callSource(m, messageId);
    if (!s || s.provider === 'manual' || !s.provider) return daily;
    if (s.direction === 'inbound') {
      const before = await this.repo.callFact(m, messageId);
      const outcome: CallFact['outcome'] =
        s.outcome === 'answered' ? 'answered' : s.outcome === 'missed' || s.outcome === 'voicemail' ? 'missed' : 'ringing';
      const after: CallFact = {
        organization_id: s.organization_id,
        team_id: before?.team_id ?? s.team_id,
        channel_kind: before?.channel_kind ?? s.channel_kind,
        day: before?.day ?? s.day,
        outcome,
        called_back_minutes: before?.called_back_minutes ?? null,
      };
      if (before) daily.push(...callContribution(before, -1));
      daily.push(...callContribution(after, 1));
      await this.repo.saveCallFact(m, s, after);
    } else if (s.outcome === 'answered') {
      for (const settled of await this.repo.settleMissedCalls(m, s.conversation_id, s.started_at)) {
        daily.push(...callContribution(settled.before, -1), ...callContribution(settled, 1));
      }
    }
    return daily;
  }
}

/** The label rows a recount moves (its daily and histogram deltas, once per label). */
interface Labelled {
  daily: Array<DailyDelta & { label_id: string }>;
  durations: Array<ConversationMoves['durations'][number] & { label_id: string }>;
}

/** The calendar day in Europe/Paris, `YYYY-MM-DD`. */
export function parisDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    d,
  );
}
