import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import {
  callContribution,
  conversationContribution,
  mergeDaily,
  mergeDurations,
  type CallFact,
  type DailyDelta,
  type DurationDelta,
} from './report-facts';
import { ReportsRepository, type StoredConversationFact } from './reports.repository';

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
 * in any order or be retried, the aggregates end equal to what the rows say.
 */
@Injectable()
export class ReportAggregatesListener {
  constructor(private readonly repo: ReportsRepository) {}

  @OnDomainEvent([...CONVERSATION_EVENTS], { durable: true, when: movesReports })
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
  private async apply(m: EntityManager, moves: { daily: DailyDelta[]; durations: DurationDelta[] }): Promise<void> {
    await this.repo.addDaily(m, mergeDaily(moves.daily));
    await this.repo.addDurations(m, mergeDurations(moves.durations));
  }

  /** What the conversation's new fact moves, its fact saved. */
  private async conversationMoves(
    m: EntityManager,
    conversationId: string,
  ): Promise<{ daily: DailyDelta[]; durations: DurationDelta[] }> {
    const daily: DailyDelta[] = [];
    const durations: DurationDelta[] = [];
    await this.repo.lock(m, conversationId);
    const source = await this.repo.conversationSource(m, conversationId);
    if (!source) return { daily, durations };
    const before = await this.repo.conversationFact(m, conversationId);
    const channel = before?.channel_kind ?? (await this.repo.originChannel(m, conversationId));
    const after: StoredConversationFact = { ...source, channel_kind: channel };
    if (before) {
      const old = conversationContribution(before, -1);
      daily.push(...old.daily);
      durations.push(...old.durations);
      // Counted as resolved before, and now open or resolved at another time: reopened once in between.
      if (before.resolved_at && +before.resolved_at !== +(after.resolved_at ?? 0)) {
        daily.push({
          organization_id: after.organization_id,
          day: parisDay(new Date()),
          team_id: after.team_id,
          channel_kind: after.channel_kind,
          request_type_id: after.request_type_id,
          counters: { reopened: 1 },
        });
      }
    }
    const next = conversationContribution(after, 1);
    daily.push(...next.daily);
    durations.push(...next.durations);
    await this.repo.saveConversationFact(m, conversationId, after);
    return { daily, durations };
  }

  /**
   * Incoming calls from Twilio or a switchboard: received, answered, missed; an answered outgoing
   * call settles the missed calls before it in the same file (called back, with the delay).
   * Hand-logged calls (an agent noting a call or a counter visit) are not telephony statistics.
   */
  async refreshCall(m: EntityManager, messageId: string): Promise<void> {
    await this.apply(m, { daily: await this.callMoves(m, messageId), durations: [] });
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

/** The calendar day in Europe/Paris, `YYYY-MM-DD`. */
export function parisDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    d,
  );
}
