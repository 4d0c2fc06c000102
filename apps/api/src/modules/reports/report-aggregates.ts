import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { effectiveOpeningHours, openingMinutesBetween } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
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
import { ReportsRepository, type ConversationSource, type StoredConversationFact, type TeamHours } from './reports.repository';

/** Marks folded per transaction (a backlog of marks, after an upgrade or an outage, goes by batches). */
export const FOLD_BATCH = 5000;
/** How often an instance that runs jobs folds what is pending (REPORTS_FOLD_MS). */
export const FOLD_EVERY_MS = 2000;

/** The label rows a recount moves (its daily and histogram deltas, once per label). */
interface Labelled {
  daily: Array<DailyDelta & { label_id: string }>;
  durations: Array<ConversationMoves['durations'][number] & { label_id: string }>;
}

type Moves = ConversationMoves & { labels: Labelled };

const noMoves = (): Moves => ({ daily: [], durations: [], agents: [], agentDurations: [], labels: { daily: [], durations: [] } });

/**
 * Keeps the report aggregates current by folding, every few seconds, the conversations and calls
 * that triggers marked as changed (migration ReportFold1765096000000): the writers (the ingest,
 * an agent's reply, a transfer) only append a mark in their own transaction, and pay nothing else.
 *
 * A fold, one at a time over every instance (an advisory lock), in one transaction: it deletes a
 * batch of marks, reads those conversations as they are now in one statement, compares each with
 * the fact stored for it (report_conversation) and moves the daily, monthly, label and agent rows
 * by the differences, summed, with one statement per table. Whatever order changes come in, or
 * however often a file is marked, the aggregates end equal to a recount of the rows: a change
 * committed after the fold read its marks left a mark the next fold takes. The fold writes only
 * report_* tables, which nothing else writes, and locks no conversation (the facts have no
 * foreign key to it): no writer waits for it, and it waits for no writer's rows.
 */
@Injectable()
export class ReportAggregates implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReportAggregates');
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly repo: ReportsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runJobs || this.config.reportsFoldMs === 0) return;
    this.timer = setInterval(() => this.tick(), this.config.reportsFoldMs ?? FOLD_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** A periodic fold: skipped while this instance's previous one runs, or while another instance folds. */
  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = (async () => {
      // A full batch may have left marks behind: the next one at once.
      for (let taken = FOLD_BATCH; taken === FOLD_BATCH && !this.stopped;) taken = (await this.foldBatch(false)) ?? 0;
    })()
      .catch((e: unknown) =>
        // Left pending (the transaction rolled back): the next tick takes them again.
        this.logger.warn(`agrégats des rapports : repli reporté (${e instanceof Error ? e.name : typeof e})`),
      )
      .finally(() => (this.running = null));
  }

  /**
   * Folds everything pending now, waiting for a fold running elsewhere: once it returns, every
   * change committed before the call is in the aggregates (tests, the backfill). The number of marks folded.
   */
  async foldNow(): Promise<number> {
    let n = 0;
    for (;;) {
      const taken = (await this.foldBatch(true)) ?? 0;
      n += taken;
      if (taken < FOLD_BATCH) return n;
    }
  }

  /** One fold in its own transaction: the marks it took, or null when another instance folds (`wait` false). */
  foldBatch(wait: boolean): Promise<number | null> {
    return this.db.tx((m) => this.foldIn(m, wait));
  }

  /**
   * One fold in the caller's transaction (bench/ingest-ab.ts runs it on its own connection): the
   * lock, a batch of marks, their recount, and the time of the fold when it left none behind.
   */
  async foldIn(m: EntityManager, wait: boolean): Promise<number | null> {
    if (!(await this.repo.lockFold(m, wait))) return null;
    const marks = await this.repo.takePending(m, FOLD_BATCH);
    if (marks.length) {
      const moves = noMoves();
      // Each conversation once, with the channel its creation's mark carries (if one of its marks does).
      const conversations = new Map<string, string | null>();
      for (const k of marks) {
        if (!conversations.get(k.conversation_id)) conversations.set(k.conversation_id, k.channel_kind ?? null);
      }
      await this.conversationMoves(m, conversations, moves);
      const calls = [...new Set(marks.flatMap((k) => (k.message_id ? [k.message_id] : [])))];
      if (calls.length) moves.daily.push(...(await this.callMoves(m, calls)));
      await this.apply(m, moves);
    }
    // Every mark visible when the batch was taken is folded: what committed before this transaction began is counted.
    if (marks.length < FOLD_BATCH) await this.repo.markFolded(m);
    return marks.length;
  }

  /**
   * One write of each aggregate table per fold, whatever moved (the deltas of every file summed
   * per row, rows in key order).
   */
  private async apply(m: EntityManager, moves: Moves): Promise<void> {
    await this.repo.addDaily(m, mergeDaily(moves.daily));
    await this.repo.addDurations(m, mergeDurations(moves.durations));
    await this.repo.addLabelled(m, mergeDaily(moves.labels.daily), mergeDurations(moves.labels.durations));
    await this.repo.addAgents(m, mergeAgents(moves.agents), mergeAgentDurations(moves.agentDurations));
  }

  /** What the conversations' new facts move (added to `moves`), their facts saved. */
  private async conversationMoves(m: EntityManager, marks: ReadonlyMap<string, string | null>, moves: Moves): Promise<void> {
    // The rows and their stored facts in one snapshot, no earlier than the marks' (only folds write facts).
    const sources = await this.repo.conversationSources(m, marks);
    // Deleted (retention, an erasure, the organization): their facts go, their counts stay.
    const found = new Set(sources.map((s) => s.conversation_id));
    const gone = [...marks.keys()].filter((id) => !found.has(id));
    if (gone.length) await this.repo.forgetFacts(m, gone);
    if (!sources.length) return;
    const facts = new Map(sources.map((s) => [s.conversation_id, s.fact]));
    const teams = [...new Set(sources.filter((s) => needsHours(s, facts.get(s.conversation_id) ?? null)).map((s) => s.team_id))];
    const hours = teams.length ? await this.repo.hoursOf(m, teams) : new Map<string, TeamHours>();
    const today = parisDay(new Date());
    const add = (c: ConversationMoves, labelIds: string[]) => {
      moves.daily.push(...c.daily);
      moves.durations.push(...c.durations);
      moves.agents.push(...c.agents);
      moves.agentDurations.push(...c.agentDurations);
      moves.labels.daily.push(...labelled(c.daily, labelIds));
      moves.labels.durations.push(...labelled(c.durations, labelIds));
    };
    const changed: Array<StoredConversationFact & { conversation_id: string }> = [];
    for (const source of sources) {
      const before = facts.get(source.conversation_id) ?? null;
      const after = factOf(source, before, hours.get(source.team_id));
      if (before && sameFact(before, after)) continue;
      if (before) {
        add(conversationContribution(before, -1), before.label_ids);
        // Counted as resolved before, and now open or resolved at another time: reopened once in between.
        if (before.resolved_at && +before.resolved_at !== +(after.resolved_at ?? 0)) {
          const reopened: DailyDelta = {
            organization_id: after.organization_id,
            day: today,
            team_id: after.team_id,
            channel_kind: after.channel_kind,
            request_type_id: after.request_type_id,
            counters: { reopened: 1 },
          };
          moves.daily.push(reopened);
          moves.labels.daily.push(...labelled([reopened], after.label_ids));
        }
      }
      add(conversationContribution(after, 1), after.label_ids);
      changed.push({ conversation_id: source.conversation_id, ...after });
    }
    await this.repo.saveConversationFacts(m, changed);
  }

  /**
   * Incoming calls from Twilio or a switchboard: received, answered, missed; an answered outgoing
   * call settles the missed calls before it in the same file (called back, with the delay), and a
   * missed call counted after its call-back (marks of one fold are taken in no set order) is
   * settled by it at once. Hand-logged calls (an agent noting a call or a counter visit) are not
   * telephony statistics. Oldest first.
   */
  private async callMoves(m: EntityManager, messageIds: string[]): Promise<DailyDelta[]> {
    const daily: DailyDelta[] = [];
    for (const s of await this.repo.callSources(m, messageIds)) {
      if (!s.provider || s.provider === 'manual') continue;
      if (s.direction === 'inbound') {
        const before = await this.repo.callFact(m, s.id);
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
        if (outcome === 'missed' && after.called_back_minutes === null)
          after.called_back_minutes = await this.repo.callbackMinutes(m, s.conversation_id, s.started_at);
        if (before) daily.push(...callContribution(before, -1));
        daily.push(...callContribution(after, 1));
        await this.repo.saveCallFact(m, s, after);
      } else if (s.outcome === 'answered') {
        for (const settled of await this.repo.settleMissedCalls(m, s.conversation_id, s.started_at)) {
          daily.push(...callContribution(settled.before, -1), ...callContribution(settled, 1));
        }
      }
    }
    return daily;
  }
}

/** Whether a file's new fact needs its service's opening hours (an answer or a resolution not counted yet). */
function needsHours(source: ConversationSource, before: StoredConversationFact | null): boolean {
  const answer = !!source.first_response_at && !(sameAnswer(source, before) && before!.first_response_open_minutes !== null);
  const resolution = !!source.resolved_at && !(sameResolution(source, before) && before!.resolution_open_minutes !== null);
  return answer || resolution;
}

const sameAnswer = (source: ConversationSource, before: StoredConversationFact | null) =>
  !!before &&
  before.first_response_day === source.first_response_day &&
  before.first_response_minutes === source.first_response_minutes;

const sameResolution = (source: ConversationSource, before: StoredConversationFact | null) =>
  !!before?.resolved_at && !!source.resolved_at && +before.resolved_at === +source.resolved_at;

/**
 * The fact of a conversation from its row: who answered first and the times in the service's
 * opening hours are worked out when the answer or the resolution happens, then kept as they
 * were (a later change of opening hours or of service does not rewrite the past).
 */
function factOf(source: ConversationSource, before: StoredConversationFact | null, hours?: TeamHours): StoredConversationFact {
  const {
    conversation_id: _id,
    created_at,
    first_response_at,
    assignee_id,
    label_ids,
    first_responder,
    origin_channel,
    // The stored fact read beside the rows (conversationSources): `before`.
    fact: _stored,
    ...fact
  } = source as ConversationSource & { fact?: unknown };
  const opening = (to: Date) =>
    openingMinutesBetween(
      created_at,
      to,
      effectiveOpeningHours(hours?.opening_hours ?? null, hours?.organization_hours ?? null),
      {
        alsaceMoselle: hours?.alsace_moselle ?? false,
        closures: hours?.closures ?? [],
      },
    );
  const answer = sameAnswer(source, before);
  const resolution = sameResolution(source, before);
  let firstResponseAgent: string | null = null;
  let firstResponseOpen: number | null = null;
  if (first_response_at) {
    firstResponseAgent = answer && before!.first_response_agent_id ? before!.first_response_agent_id : first_responder;
    firstResponseOpen =
      answer && before!.first_response_open_minutes !== null ? before!.first_response_open_minutes : opening(first_response_at);
  }
  let resolutionOpen: number | null = null;
  let handledBy: string | null = null;
  if (source.resolved_at && source.resolved_day) {
    resolutionOpen =
      resolution && before!.resolution_open_minutes !== null ? before!.resolution_open_minutes : opening(source.resolved_at);
    handledBy = resolution && before!.handled_by ? before!.handled_by : assignee_id;
  }
  return {
    ...fact,
    channel_kind: before?.channel_kind ?? origin_channel ?? 'unknown',
    label_ids: label_ids ?? [],
    first_response_agent_id: firstResponseAgent,
    first_response_open_minutes: firstResponseOpen,
    handled_by: handledBy,
    resolution_open_minutes: resolutionOpen,
  };
}

const FACT_FIELDS: ReadonlyArray<keyof StoredConversationFact> = [
  'organization_id',
  'team_id',
  'channel_kind',
  'request_type_id',
  'created_day',
  'first_response_day',
  'first_response_minutes',
  'first_response_on_time',
  'resolved_day',
  'resolution_minutes',
  'resolved_on_time',
  'satisfaction',
  'satisfaction_day',
  'first_response_agent_id',
  'first_response_open_minutes',
  'handled_by',
  'resolution_open_minutes',
];

/** A fact that did not move (a file marked for a change that counts nothing): no write. */
function sameFact(a: StoredConversationFact, b: StoredConversationFact): boolean {
  return (
    FACT_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null)) &&
    +(a.resolved_at ?? 0) === +(b.resolved_at ?? 0) &&
    (a.label_ids ?? []).join() === (b.label_ids ?? []).join()
  );
}

/** The calendar day in Europe/Paris, `YYYY-MM-DD`. */
export function parisDay(d: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    d,
  );
}
