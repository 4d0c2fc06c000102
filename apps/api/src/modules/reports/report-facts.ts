import { durationBucket } from '@guichet/contracts';

/** The dimensions of a daily aggregate row: a day (Europe/Paris), a service, the origin channel, a démarche. */
export interface DailyKey {
  organization_id: string;
  day: string;
  team_id: string;
  channel_kind: string;
  request_type_id: string | null;
}

export const DAILY_COUNTERS = [
  'created',
  'reopened',
  'resolved',
  'resolved_with_deadline',
  'resolved_on_time',
  'first_responses',
  'first_responses_with_target',
  'first_responses_on_time',
  'satisfaction_answers',
  'satisfaction_sum',
  'calls_received',
  'calls_answered',
  'calls_missed',
  'calls_called_back',
  'callback_minutes',
] as const;
export type DailyCounter = (typeof DAILY_COUNTERS)[number];

export interface DailyDelta extends DailyKey {
  counters: Partial<Record<DailyCounter, number>>;
  /** Added to the 11 counters of answers 0–10. */
  hist?: number[];
}

/** Durations in calendar time, and the same in the service's opening hours (`_open`). */
export type DurationMetric = 'first_response' | 'resolution' | 'first_response_open' | 'resolution_open';

export interface DurationDelta extends DailyKey {
  metric: DurationMetric;
  bucket: number;
  n: number;
}

/** The same deltas once more per label of the file (report_label_daily / report_label_duration). */
export type LabelDailyDelta = DailyDelta & { label_id: string };
export type LabelDurationDelta = DurationDelta & { label_id: string };

/** Per agent: files handled (resolved while assigned to them) and first answers they wrote (report_agent_daily). */
export interface AgentDelta {
  organization_id: string;
  day: string;
  team_id: string;
  agent_id: string;
  handled: number;
  first_responses: number;
}

export interface AgentDurationDelta {
  organization_id: string;
  day: string;
  team_id: string;
  agent_id: string;
  metric: 'first_response' | 'first_response_open';
  bucket: number;
  n: number;
}

/** Everything a conversation's fact moves. */
export interface ConversationMoves {
  daily: DailyDelta[];
  durations: DurationDelta[];
  agents: AgentDelta[];
  agentDurations: AgentDurationDelta[];
}

/** What one conversation contributes to the aggregates (report_conversation). */
export interface ConversationFact {
  organization_id: string;
  team_id: string;
  channel_kind: string;
  request_type_id: string | null;
  created_day: string;
  first_response_day: string | null;
  first_response_minutes: number | null;
  /** Null: the file had no response target. */
  first_response_on_time: boolean | null;
  resolved_day: string | null;
  resolution_minutes: number | null;
  /** Resolved by its legal decision date (null: not resolved, or no such date; a fact stored before it existed). */
  resolved_on_time: boolean | null;
  satisfaction: number | null;
  satisfaction_day: string | null;
  /** The labels the file carries (sorted). */
  label_ids: string[];
  /** Who wrote the first answer, and its time in the service's opening hours (minutes). */
  first_response_agent_id: string | null;
  first_response_open_minutes: number | null;
  /** Who the file was assigned to when resolved, and the resolution time in opening hours. */
  handled_by: string | null;
  resolution_open_minutes: number | null;
}

/** What one incoming telephone call contributes (report_call). */
export interface CallFact {
  organization_id: string;
  team_id: string;
  channel_kind: string;
  day: string;
  outcome: 'ringing' | 'answered' | 'missed';
  called_back_minutes: number | null;
}

function key(
  f: { organization_id: string; team_id: string; channel_kind: string; request_type_id: string | null },
  day: string,
): DailyKey {
  return {
    organization_id: f.organization_id,
    day,
    team_id: f.team_id,
    channel_kind: f.channel_kind,
    request_type_id: f.request_type_id,
  };
}

/**
 * The rows a conversation adds to (sign 1) or takes from (sign -1) the aggregates. A fact stored
 * before a field existed has it null (or no label): it took nothing from those rows, and gives
 * nothing back.
 */
export function conversationContribution(f: ConversationFact, sign: 1 | -1): ConversationMoves {
  const daily: DailyDelta[] = [{ ...key(f, f.created_day), counters: { created: sign } }];
  const durations: DurationDelta[] = [];
  const agents: AgentDelta[] = [];
  const agentDurations: AgentDurationDelta[] = [];
  const agentKey = (agent_id: string, day: string) => ({ organization_id: f.organization_id, day, team_id: f.team_id, agent_id });
  if (f.first_response_day && f.first_response_minutes !== null) {
    if (f.first_response_open_minutes !== null && f.first_response_open_minutes !== undefined)
      durations.push({
        ...key(f, f.first_response_day),
        metric: 'first_response_open',
        bucket: durationBucket(f.first_response_open_minutes),
        n: sign,
      });
    if (f.first_response_agent_id) {
      const a = agentKey(f.first_response_agent_id, f.first_response_day);
      agents.push({ ...a, handled: 0, first_responses: sign });
      agentDurations.push({ ...a, metric: 'first_response', bucket: durationBucket(f.first_response_minutes), n: sign });
      if (f.first_response_open_minutes !== null && f.first_response_open_minutes !== undefined)
        agentDurations.push({
          ...a,
          metric: 'first_response_open',
          bucket: durationBucket(f.first_response_open_minutes),
          n: sign,
        });
    }
    daily.push({
      ...key(f, f.first_response_day),
      counters: {
        first_responses: sign,
        first_responses_with_target: f.first_response_on_time === null ? 0 : sign,
        first_responses_on_time: f.first_response_on_time ? sign : 0,
      },
    });
    durations.push({
      ...key(f, f.first_response_day),
      metric: 'first_response',
      bucket: durationBucket(f.first_response_minutes),
      n: sign,
    });
  }
  if (f.resolved_day && f.resolution_minutes !== null) {
    const deadline = f.resolved_on_time === null || f.resolved_on_time === undefined ? 0 : sign;
    daily.push({
      ...key(f, f.resolved_day),
      counters: { resolved: sign, resolved_with_deadline: deadline, resolved_on_time: f.resolved_on_time ? sign : 0 },
    });
    durations.push({ ...key(f, f.resolved_day), metric: 'resolution', bucket: durationBucket(f.resolution_minutes), n: sign });
    if (f.resolution_open_minutes !== null && f.resolution_open_minutes !== undefined)
      durations.push({
        ...key(f, f.resolved_day),
        metric: 'resolution_open',
        bucket: durationBucket(f.resolution_open_minutes),
        n: sign,
      });
    if (f.handled_by) agents.push({ ...agentKey(f.handled_by, f.resolved_day), handled: sign, first_responses: 0 });
  }
  if (f.satisfaction !== null && f.satisfaction_day) {
    const hist = new Array<number>(11).fill(0);
    hist[f.satisfaction] = sign;
    daily.push({
      ...key(f, f.satisfaction_day),
      counters: { satisfaction_answers: sign, satisfaction_sum: sign * f.satisfaction },
      hist,
    });
  }
  return { daily, durations, agents, agentDurations };
}

/** The daily and histogram deltas of a file once more for each of its labels. */
export function labelled<D extends DailyDelta | DurationDelta>(
  deltas: D[],
  labelIds: readonly string[] | null | undefined,
): Array<D & { label_id: string }> {
  return (labelIds ?? []).flatMap((label_id) => deltas.map((d) => ({ ...d, label_id })));
}

export function callContribution(f: CallFact, sign: 1 | -1): DailyDelta[] {
  const called = f.outcome === 'missed' && f.called_back_minutes !== null;
  return [
    {
      ...key({ ...f, request_type_id: null }, f.day),
      counters: {
        calls_received: sign,
        calls_answered: f.outcome === 'answered' ? sign : 0,
        calls_missed: f.outcome === 'missed' ? sign : 0,
        calls_called_back: called ? sign : 0,
        callback_minutes: called ? sign * f.called_back_minutes! : 0,
      },
    },
  ];
}

const dailyKey = (d: DailyKey & { label_id?: string }) =>
  [d.organization_id, d.label_id ?? '', d.day, d.team_id, d.channel_kind, d.request_type_id ?? ''].join('|');

/** Sums deltas per row (per label too, for label rows) and drops those that cancel out (a fact that did not move costs no write). */
export function mergeDaily<D extends DailyDelta>(deltas: D[]): D[] {
  const byKey = new Map<string, D>();
  for (const d of deltas) {
    const k = dailyKey(d);
    const acc = byKey.get(k) ?? { ...d, counters: {}, hist: new Array<number>(11).fill(0) };
    for (const [c, v] of Object.entries(d.counters) as [DailyCounter, number][]) acc.counters[c] = (acc.counters[c] ?? 0) + v;
    d.hist?.forEach((v, i) => (acc.hist![i]! += v));
    byKey.set(k, acc);
  }
  return [...byKey.entries()]
    .filter(([, d]) => Object.values(d.counters).some((v) => v !== 0) || d.hist!.some((v) => v !== 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // one lock order for every writer: no deadlock
    .map(([, d]) => d);
}

/**
 * Sums the numeric fields `fields` of deltas with the same key, drops those that cancel out, and
 * sorts them by key (one lock order for every writer).
 */
function mergeSums<D extends object>(deltas: D[], keyOf: (d: D) => string, fields: ReadonlyArray<keyof D>): D[] {
  const byKey = new Map<string, D>();
  for (const d of deltas) {
    const k = keyOf(d);
    const acc = byKey.get(k);
    if (!acc) byKey.set(k, { ...d });
    else for (const f of fields) (acc[f] as number) += d[f] as number;
  }
  return [...byKey.entries()]
    .filter(([, d]) => fields.some((f) => d[f] !== 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d);
}

export const mergeDurations = <D extends DurationDelta>(deltas: D[]): D[] =>
  mergeSums(deltas, (d) => `${d.metric}|${dailyKey(d)}|${d.bucket}`, ['n']);

const agentKeyOf = (d: { organization_id: string; day: string; team_id: string; agent_id: string }) =>
  [d.organization_id, d.day, d.team_id, d.agent_id].join('|');

export const mergeAgents = (deltas: AgentDelta[]): AgentDelta[] => mergeSums(deltas, agentKeyOf, ['handled', 'first_responses']);

export const mergeAgentDurations = (deltas: AgentDurationDelta[]): AgentDurationDelta[] =>
  mergeSums(deltas, (d) => `${d.metric}|${agentKeyOf(d)}|${d.bucket}`, ['n']);

/** The first day of the month of a `YYYY-MM-DD` day. */
export const monthOf = (day: string): string => `${day.slice(0, 8)}01`;

/** The same deltas summed per calendar month (the month's first day as `day`): what moves `report_monthly`. */
export function monthlyDaily<D extends DailyDelta>(deltas: D[]): D[] {
  return mergeDaily(deltas.map((d) => ({ ...d, day: monthOf(d.day) })));
}

/** The same deltas summed per calendar month and service only: what moves `report_team_monthly`. */
export function teamMonthlyDaily<D extends DailyDelta>(deltas: D[]): D[] {
  return mergeDaily(deltas.map((d) => ({ ...d, day: monthOf(d.day), channel_kind: '', request_type_id: null })));
}

/** Histogram deltas summed per calendar month and service (the monthly histograms have no channel or démarche). */
export function monthlyDurations<D extends DurationDelta>(deltas: D[]): D[] {
  return mergeDurations(deltas.map((d) => ({ ...d, day: monthOf(d.day), channel_kind: '', request_type_id: null })));
}

/** Day ranges `[from, to]` (inclusive, `YYYY-MM-DD`) of a report period. */
export interface PeriodSplit {
  /** First days of the first and last whole months of the period, or null when it holds none. */
  months: [string, string] | null;
  /** The days outside those months: none, one or two ranges (the partial months at the edges). */
  days: Array<[string, string]>;
}

export const addDays = (day: string, n: number): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const addMonths = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
};

/**
 * Splits a period into whole calendar months (read from the monthly rollup) and the days at its
 * edges (read from the daily rows): 1 Jan–31 Dec is twelve months and no day; 15 Jan–10 Mar is
 * 15–31 Jan, February, 1–10 Mar.
 */
export function splitPeriod(from: string, to: string): PeriodSplit {
  const firstMonth = from.endsWith('-01') ? from : addMonths(monthOf(from), 1);
  const afterTo = addDays(to, 1);
  const lastMonth = afterTo.endsWith('-01') ? monthOf(to) : addMonths(monthOf(to), -1);
  if (firstMonth > lastMonth) return { months: null, days: [[from, to]] };
  const days: Array<[string, string]> = [];
  if (from < firstMonth) days.push([from, addDays(firstMonth, -1)]);
  const end = addDays(addMonths(lastMonth, 1), -1);
  if (end < to) days.push([addDays(end, 1), to]);
  return { months: [firstMonth, lastMonth], days };
}

/**
 * `[from, to]` cut after each of `cuts` that falls inside it: consecutive ranges covering the
 * period (a read split so at a day can FILTER on `day <= cut` without a month straddling it).
 */
export function cutPeriod(from: string, to: string, cuts: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let start = from;
  for (const cut of [...new Set(cuts)].sort()) {
    if (cut < start || cut >= to) continue;
    out.push([start, cut]);
    start = addDays(cut, 1);
  }
  out.push([start, to]);
  return out;
}

/**
 * The period a report is compared with: as many whole calendar months just before when the
 * period is whole months (February after January, a quarter after the one before, a year after
 * the last), else as many days just before.
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const to1 = addDays(to, 1);
  if (from.endsWith('-01') && to1.endsWith('-01')) {
    const months = (Number(to1.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to1.slice(5, 7)) - Number(from.slice(5, 7));
    return { from: addMonths(from, -months), to: addDays(from, -1) };
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86400_000) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** The first day the aggregates can hold: backlogs add every day up to the period's end from here. */
export const HISTORY_START = '2000-01-01';
