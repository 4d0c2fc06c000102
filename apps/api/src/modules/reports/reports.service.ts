import { Injectable } from '@nestjs/common';
import {
  histogramPercentile,
  INDICATOR_COLUMNS,
  INDICATORS_CSV_DIALECT,
  OPEN_DATA_MIN_COUNT,
  OPEN_DATA_SCHEMA_PATH,
  OPEN_DATA_SECRECY_RULE,
  openDataPath,
  type OpenDataCatalogDto,
  type OpenDataMode,
  SATISFACTION_COMMENTS_LIMIT,
  SATISFACTION_QUESTION,
  toCsv,
  type ChannelDeadlineRow,
  type ChannelKind,
  type AgentsReportDto,
  type DurationPairDto,
  type DurationStatsDto,
  type IndicatorRow,
  type IndicatorsDto,
  type IndicatorsQuery,
  type ReportGranularity,
  type ReportQuery,
  type ResponseTimesReportDto,
  type SatisfactionReportDto,
  type SatisfactionRow,
  type TeamSeries,
  type TelephoneReportDto,
  type TelephoneRow,
  type VolumeRow,
  type VolumesReportDto,
} from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { badRequest, forbidden, notFound } from '../../common/errors';
import { parisDay } from './report-aggregates';
import { applySecrecy, withheldCells, type SecrecyLine } from './open-data-secrecy';
import { reportWorkbook, type ReportTable } from './report-workbook';
import { previousPeriod, type DurationMetric } from './report-facts';
import {
  ALL_SUM_FIELDS,
  ReportsRepository,
  type DailySumRow,
  type ReportScope,
  type SeriesRow,
  type SumCounters,
  type SumField,
  type Sql,
} from './reports.repository';

export type CsvTable = ReportTable;

export type ReportKind = 'volumes' | 'response-times' | 'telephone' | 'satisfaction' | 'agents';

const REPORT_TITLES: Record<ReportKind, string> = {
  agents: 'Charge de travail par agent',
  volumes: 'Volumes de demandes',
  'response-times': 'Délais de réponse et de résolution',
  telephone: 'Téléphone',
  satisfaction: 'Satisfaction des usagers',
};

interface IndicatorLine extends SecrecyLine {
  row: IndicatorRow;
}

/** The days of a year or of one of its quarters. */
export function indicatorPeriod(year: number, quarter?: number): { from: string; to: string } {
  const from = quarter ? `${year}-${String((quarter - 1) * 3 + 1).padStart(2, '0')}-01` : `${year}-01-01`;
  const to = new Date(Date.UTC(year, quarter ? quarter * 3 : 12, 0)).toISOString().slice(0, 10);
  return { from, to };
}

/** Whether a year or quarter is over (its last day before today in Europe/Paris): only those are published. */
export function closed(year: number, quarter: number | undefined, today: Date): boolean {
  return indicatorPeriod(year, quarter).to < parisDay(today);
}

const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const share = (n: number, d: number) => (d > 0 ? round(n / d) : null);

/** The first days of the periods from `from` to `to` (UTC date arithmetic on calendar days). */
export function periods(from: string, to: string, g: ReportGranularity): string[] {
  const start = new Date(`${from}T00:00:00Z`);
  if (g === 'week') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7));
  if (g === 'month') start.setUTCDate(1);
  const end = new Date(`${to}T00:00:00Z`);
  const out: string[] = [];
  for (const d = start; d <= end;) {
    out.push(d.toISOString().slice(0, 10));
    if (g === 'day') d.setUTCDate(d.getUTCDate() + 1);
    else if (g === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** What each report sums (a report reads only the counters it shows). */
const VOLUME_FIELDS = ['created', 'reopened', 'resolved'] as const satisfies readonly SumField[];
const TELEPHONE_FIELDS = [
  'calls_received',
  'calls_answered',
  'calls_missed',
  'calls_called_back',
  'callback_minutes',
] as const satisfies readonly SumField[];
const SATISFACTION_FIELDS = [
  'satisfaction_answers',
  'satisfaction_sum',
  'satisfaction_hist',
] as const satisfies readonly SumField[];
const TARGET_FIELDS = [
  'first_responses_with_target',
  'first_responses_on_time',
  'resolved_with_deadline',
  'resolved_on_time',
] as const satisfies readonly SumField[];

const volume = (r?: Partial<DailySumRow>): VolumeRow => ({
  created: r?.created ?? 0,
  reopened: r?.reopened ?? 0,
  resolved: r?.resolved ?? 0,
});

function telephone(r?: Partial<DailySumRow>): TelephoneRow {
  const received = r?.calls_received ?? 0;
  const answered = r?.calls_answered ?? 0;
  const calledBack = r?.calls_called_back ?? 0;
  return {
    received,
    answered,
    missed: r?.calls_missed ?? 0,
    calledBack,
    answeredShare: share(answered, received),
    averageCallbackMinutes: calledBack ? round((r?.callback_minutes ?? 0) / calledBack, 1) : null,
  };
}

function satisfaction(r?: Partial<DailySumRow>): SatisfactionRow & { distribution: number[] } {
  const answers = r?.satisfaction_answers ?? 0;
  const distribution = r?.satisfaction_hist?.length === 11 ? r.satisfaction_hist.map(Number) : new Array<number>(11).fill(0);
  const high = distribution[8]! + distribution[9]! + distribution[10]!;
  const promoters = distribution[9]! + distribution[10]!;
  const detractors = distribution.slice(0, 7).reduce((a, b) => a + b, 0);
  return {
    answers,
    average: answers ? round((r?.satisfaction_sum ?? 0) / answers, 2) : null,
    shareAtLeast8: share(high, answers),
    netSatisfaction: answers ? round(((promoters - detractors) * 100) / answers, 1) : null,
    distribution,
  };
}

/** Adds up rows of counters field by field (the answers per score element by element). */
function addUp<F extends SumField>(rows: ReadonlyArray<Pick<SumCounters, F>>, fields: readonly F[]): Pick<SumCounters, F> {
  const total: Record<string, number | number[]> = {};
  for (const f of fields) total[f] = f === 'satisfaction_hist' ? new Array<number>(11).fill(0) : 0;
  for (const r of rows)
    for (const f of fields) {
      const v = r[f] as number | number[];
      if (Array.isArray(v)) (total[f] as number[]).forEach((n, i, sum) => (sum[i] = n + Number(v[i] ?? 0)));
      else total[f] = (total[f] as number) + Number(v ?? 0);
    }
  return total as Pick<SumCounters, F>;
}

/**
 * A report's figures over time from its rows per period and service (seriesByTeam): the sums of
 * the whole period, the `series` over every period of `days` (they add up the services'), and
 * per service, in total and over time (alphabetical; the services `keep` keeps).
 */
function overTime<F extends SumField, R extends object>(
  rows: ReadonlyArray<SeriesRow<F>>,
  fields: readonly F[],
  days: readonly string[],
  teamNames: ReadonlyMap<string, string>,
  rowOf: (sums: Pick<SumCounters, F> | undefined) => R,
  keep: (sums: Pick<SumCounters, F>) => boolean = () => true,
): {
  sums: Pick<SumCounters, F>;
  series: Array<R & { period: string }>;
  byTeam: Array<R & { teamId: string; teamName: string }>;
  byTeamSeries: Array<TeamSeries<R>>;
} {
  const group = (key: (r: SeriesRow<F>) => string) => {
    const groups = new Map<string, Array<SeriesRow<F>>>();
    for (const r of rows) {
      const group = groups.get(key(r));
      if (group) group.push(r);
      else groups.set(key(r), [r]);
    }
    return new Map([...groups].map(([k, group]) => [k, addUp(group, fields)]));
  };
  const byPeriod = group((r) => r.period);
  const cells = group((r) => `${r.team_id}|${r.period}`);
  const teams = [...group((r) => r.team_id)]
    .filter(([, sums]) => keep(sums))
    .map(([teamId, sums]) => ({ teamId, teamName: teamNames.get(teamId) ?? '', sums }))
    .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr'));
  const over = (sumsOf: (period: string) => Pick<SumCounters, F> | undefined) =>
    days.map((period) => ({ period, ...rowOf(sumsOf(period)) }));
  return {
    sums: addUp(rows, fields),
    series: over((period) => byPeriod.get(period)),
    byTeam: teams.map(({ teamId, teamName, sums }) => ({ teamId, teamName, ...rowOf(sums) })),
    byTeamSeries: teams.map(({ teamId, teamName }) => ({
      teamId,
      teamName,
      series: over((period) => cells.get(`${teamId}|${period}`)),
    })),
  };
}

function stats(buckets: Array<{ bucket: number; n: number }>): DurationStatsDto {
  return {
    count: buckets.reduce((s, b) => s + b.n, 0),
    medianMinutes: histogramPercentile(buckets, 0.5),
    p90Minutes: histogramPercentile(buckets, 0.9),
  };
}

/** A comparison table: each figure over the period and over the previous one. */
function comparison<R>(
  r: R & { from: string; to: string; previous: R & { from: string; to: string } },
  figures: Array<[string, (r: R) => number | null]>,
): ReportTable {
  return {
    header: ['indicateur', `du_${r.from}_au_${r.to}`, `du_${r.previous.from}_au_${r.previous.to}`],
    rows: figures.map(([name, get]) => [name, get(r), get(r.previous)]),
  };
}

type Histogram = Array<{ metric: DurationMetric; team_id: string; bucket: number; n: number }>;

/** A duration in calendar time and in opening hours, from the histograms (of one service, or all). */
function pair(hist: Histogram, metric: 'first_response' | 'resolution', teamId?: string): DurationPairDto {
  const pick = (m: DurationMetric) => hist.filter((h) => h.metric === m && (!teamId || h.team_id === teamId));
  return { ...stats(pick(metric)), openingHours: stats(pick(`${metric}_open`)) };
}

/** First response (with the share within target) and resolution over a period, every service together. */
function timesOf(
  hist: Histogram,
  targets: Partial<DailySumRow> | undefined,
): Pick<ResponseTimesReportDto, 'firstResponse' | 'resolution' | 'legalDeadline'> {
  const withTarget = targets?.first_responses_with_target ?? 0;
  const onTime = targets?.first_responses_on_time ?? 0;
  return {
    firstResponse: { ...pair(hist, 'first_response'), withTarget, onTime, onTimeShare: share(onTime, withTarget) },
    resolution: pair(hist, 'resolution'),
    legalDeadline: legalDeadlineOf(targets),
  };
}

/** Files resolved that had a legal decision date, and those resolved by it (of one service, or all). */
function legalDeadlineOf(sums: Partial<DailySumRow> | undefined): ResponseTimesReportDto['legalDeadline'] {
  const resolved = sums?.resolved_with_deadline ?? 0;
  const onTime = sums?.resolved_on_time ?? 0;
  return { resolved, onTime, onTimeShare: share(onTime, resolved) };
}

/**
 * Services Publics+ engagement 5 per channel of origin: answers by the announced target and files
 * resolved within their legal deadline; channels with neither left out, most answers first.
 */
function channelDeadlines(rows: Array<Partial<DailySumRow>>): ChannelDeadlineRow[] {
  return rows
    .filter((r) => (r.first_responses_with_target ?? 0) > 0 || (r.resolved_with_deadline ?? 0) > 0)
    .map((r) => {
      const withTarget = r.first_responses_with_target ?? 0;
      const onTime = r.first_responses_on_time ?? 0;
      return {
        channelKind: r.channel_kind as ChannelKind | 'unknown',
        firstResponse: { withTarget, onTime, onTimeShare: share(onTime, withTarget) },
        legalDeadline: legalDeadlineOf(r),
      };
    })
    .sort(
      (a, b) =>
        b.firstResponse.withTarget - a.firstResponse.withTarget ||
        b.legalDeadline.resolved - a.legalDeadline.resolved ||
        a.channelKind.localeCompare(b.channelKind),
    );
}

/**
 * Reports of the organization from the daily aggregates: supervisors see their services, admins
 * every one; the open-data indicators (Services Publics+ engagement 6) with small counts withheld.
 */
@Injectable()
export class ReportsService {
  constructor(private readonly repo: ReportsRepository) {}

  /** Until when the aggregates count every change (ISO 8601), or null before their first fold. */
  private async asOf(sql?: Sql): Promise<string | null> {
    return (await this.repo.foldedAt(sql))?.toISOString() ?? null;
  }

  /** Which services the agent may report on, within the one asked for. */
  private scope(
    agent: AuthAgent,
    from: string,
    to: string,
    teamId?: string,
    filters: Pick<ReportQuery, 'channel' | 'requestTypeId' | 'labelId'> = {},
  ): ReportScope {
    let teamIds: string[] | null;
    if (agent.role === 'admin') teamIds = teamId ? [teamId] : null;
    else if (agent.role === 'supervisor') {
      if (teamId && !agent.teamIds.includes(teamId)) throw forbidden('vous ne supervisez pas ce service');
      teamIds = teamId ? [teamId] : agent.teamIds;
    } else throw forbidden('les rapports sont réservés aux superviseurs et administrateurs');
    return {
      organizationId: agent.organizationId,
      from,
      to,
      teamIds,
      channelKinds: filters.channel ? [filters.channel] : null,
      requestTypeIds: filters.requestTypeId ? [filters.requestTypeId] : null,
      labelId: filters.labelId ?? null,
    };
  }

  async volumes(agent: AuthAgent, q: ReportQuery): Promise<VolumesReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const before = previousPeriod(q.from, q.to);
    const [rows, teamRows, names, history, asOf] = await this.repo.together((sql) => [
      this.repo.sums(scope, q.granularity, ['team', 'channel', 'type'], VOLUME_FIELDS, sql),
      this.repo.seriesByTeam(scope, q.granularity, VOLUME_FIELDS, sql),
      this.repo.names(agent.organizationId, sql),
      this.repo.backlog(scope, before, sql),
      this.asOf(sql),
    ]);
    const total = (k: 'open' | 'previous_open' | 'previous_created' | 'previous_reopened' | 'previous_resolved') =>
      history.reduce((n, r) => n + r[k], 0);
    const of = (set: DailySumRow['set']) => rows.filter((r) => r.set === set);
    const days = periods(q.from, q.to, q.granularity);
    const { series, byTeamSeries: teamSeries } = overTime(teamRows, VOLUME_FIELDS, days, names.teams, volume);
    // Open at the end of each period: open when the period began (the end of the previous one),
    // then what each period created and resolved (the backlog's own definition, period by period).
    const openSeries = (start: number, volumes: Array<VolumeRow & { period: string }>) => {
      let open = start;
      return volumes.map((r) => ({ period: r.period, open: (open += r.created - r.resolved) }));
    };
    const backlogSeries = openSeries(total('previous_open'), series);
    // The same per service: each service open at the period's start or active during it.
    const active = new Map(teamSeries.map((team) => [team.teamId, team.series]));
    const openBefore = new Map(history.map((r) => [r.team_id, r.previous_open]));
    const idle = days.map((period) => ({ period, ...volume() }));
    const backlogTeams = new Set([...history.filter((r) => r.previous_open !== 0).map((r) => r.team_id), ...active.keys()]);
    const byTeamSeries = [...backlogTeams]
      .map((teamId) => ({
        teamId,
        teamName: names.teams.get(teamId) ?? '',
        series: openSeries(openBefore.get(teamId) ?? 0, active.get(teamId) ?? idle),
      }))
      .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr'));
    return {
      from: q.from,
      to: q.to,
      asOf,
      granularity: q.granularity,
      totals: volume(of('all')[0]),
      series,
      byChannel: of('channel')
        .map((r) => ({ channelKind: r.channel_kind as ChannelKind | 'unknown', ...volume(r) }))
        .sort((a, b) => b.created - a.created || a.channelKind.localeCompare(b.channelKind)),
      byTeam: of('team')
        .map((r) => ({ teamId: r.team_id!, teamName: names.teams.get(r.team_id!) ?? '', ...volume(r) }))
        .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
      byRequestType: of('type')
        .map((r) => ({
          requestTypeId: r.request_type_id,
          requestTypeName: r.request_type_id ? (names.types.get(r.request_type_id) ?? '') : 'Sans démarche',
          ...volume(r),
        }))
        .sort((a, b) => b.created - a.created || a.requestTypeName.localeCompare(b.requestTypeName, 'fr')),
      previous: {
        ...before,
        totals: {
          created: total('previous_created'),
          reopened: total('previous_reopened'),
          resolved: total('previous_resolved'),
        },
      },
      backlog: {
        atEnd: total('open'),
        previousAtEnd: total('previous_open'),
        byTeam: history
          .filter((r) => r.open !== 0)
          .map((r) => ({ teamId: r.team_id, teamName: names.teams.get(r.team_id) ?? '', open: r.open }))
          .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
        series: backlogSeries,
        byTeamSeries,
      },
    };
  }

  async responseTimes(agent: AuthAgent, q: ReportQuery): Promise<ResponseTimesReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const at = new Date();
    const before = previousPeriod(q.from, q.to);
    const [hist, sums, names, overdue, previous, asOf] = await this.repo.together((sql) => [
      this.repo.durations(scope, sql),
      // Per service and per channel in one read (a channel's targets are counters: its month rows answer).
      this.repo.sums(scope, 'day', ['team', 'channel'], TARGET_FIELDS, sql),
      this.repo.names(agent.organizationId, sql),
      this.repo.overdue(scope, at, sql),
      this.timesTotals({ ...scope, ...before }, sql),
      this.asOf(sql),
    ]);
    const overdueSum = (k: 'total' | 'decision' | 'response') => overdue.reduce((n, r) => n + r[k], 0);
    const teams = [...new Set(hist.map((h) => h.team_id))];
    const teamSums = new Map(sums.filter((r) => r.set === 'team').map((r) => [r.team_id!, r]));
    return {
      from: q.from,
      to: q.to,
      asOf,
      ...timesOf(
        hist,
        sums.find((r) => r.set === 'all'),
      ),
      previous: { ...before, ...previous },
      byTeam: teams
        .map((teamId) => ({
          teamId,
          teamName: names.teams.get(teamId) ?? '',
          firstResponse: pair(hist, 'first_response', teamId),
          resolution: pair(hist, 'resolution', teamId),
          legalDeadline: legalDeadlineOf(teamSums.get(teamId)),
        }))
        .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
      byChannel: channelDeadlines(sums.filter((r) => r.set === 'channel')),
      overdue: {
        at: at.toISOString(),
        total: overdueSum('total'),
        decision: overdueSum('decision'),
        response: overdueSum('response'),
        byTeam: overdue
          .map((r) => ({
            teamId: r.team_id,
            teamName: names.teams.get(r.team_id) ?? '',
            total: r.total,
            decision: r.decision,
            response: r.response,
          }))
          .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
      },
    };
  }

  /** The totals of response times over a period (the previous one: the comparison). */
  private async timesTotals(
    scope: ReportScope,
    sql: Sql,
  ): Promise<Pick<ResponseTimesReportDto, 'firstResponse' | 'resolution' | 'legalDeadline'>> {
    const [hist, sums] = await Promise.all([
      this.repo.durations(scope, sql),
      this.repo.sums(scope, 'day', [], TARGET_FIELDS, sql),
    ]);
    return timesOf(hist, sums[0]);
  }

  /**
   * Per agent, for supervisors (their services) and admins: files handled, first answers and
   * their median time, and the load per period; every agent of the services in alphabetical
   * order (workload, not a ranking). Read from the agents' daily rows; the channel, démarche and
   * label filters do not apply (those rows are per service and agent only).
   */
  async agents(agent: AuthAgent, q: ReportQuery): Promise<AgentsReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId);
    const [sums, hist, members, asOf] = await Promise.all([
      this.repo.agentSums(scope, q.granularity),
      this.repo.agentDurations(scope),
      this.repo.agentsOf(agent.organizationId, scope.teamIds),
      this.asOf(),
    ]);
    const named = new Map(members.filter((a) => a.active).map((a) => [a.id, a.name]));
    const missing = [...new Set(sums.map((r) => r.agent_id))].filter((id) => !named.has(id));
    // Agents with figures who left the services (or were deactivated) since: their work still counts.
    for (const a of missing.length ? await this.repo.agentNames(agent.organizationId, missing) : []) named.set(a.id, a.name);
    const totals = new Map(sums.filter((r) => r.period === null).map((r) => [r.agent_id, r]));
    const byPeriod = new Map(sums.filter((r) => r.period !== null).map((r) => [`${r.agent_id}|${r.period}`, r]));
    const median = (id: string, metric: 'first_response' | 'first_response_open') =>
      histogramPercentile(
        hist.filter((h) => h.agent_id === id && h.metric === metric),
        0.5,
      );
    const agents = [...named.entries()]
      .map(([agentId, agentName]) => ({
        agentId,
        agentName,
        handled: totals.get(agentId)?.handled ?? 0,
        firstResponses: totals.get(agentId)?.first_responses ?? 0,
        firstResponseMedianMinutes: median(agentId, 'first_response'),
        firstResponseMedianOpeningMinutes: median(agentId, 'first_response_open'),
      }))
      .sort((a, b) => a.agentName.localeCompare(b.agentName, 'fr') || a.agentId.localeCompare(b.agentId));
    return {
      from: q.from,
      to: q.to,
      asOf,
      granularity: q.granularity,
      agents,
      series: periods(q.from, q.to, q.granularity).flatMap((period) =>
        agents.map((a) => {
          const r = byPeriod.get(`${a.agentId}|${period}`);
          return { period, agentId: a.agentId, handled: r?.handled ?? 0, firstResponses: r?.first_responses ?? 0 };
        }),
      ),
    };
  }

  async telephone(agent: AuthAgent, q: ReportQuery): Promise<TelephoneReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const before = previousPeriod(q.from, q.to);
    const [rows, names, previous, asOf] = await this.repo.together((sql) => [
      this.repo.seriesByTeam(scope, q.granularity, TELEPHONE_FIELDS, sql),
      this.repo.names(agent.organizationId, sql),
      this.repo.sums({ ...scope, ...before }, 'month', [], TELEPHONE_FIELDS, sql),
      this.asOf(sql),
    ]);
    const days = periods(q.from, q.to, q.granularity);
    const { sums, ...overall } = overTime(rows, TELEPHONE_FIELDS, days, names.teams, telephone, (r) => r.calls_received > 0);
    return {
      from: q.from,
      to: q.to,
      asOf,
      granularity: q.granularity,
      totals: telephone(sums),
      previous: { ...before, totals: telephone(previous[0]) },
      ...overall,
    };
  }

  async satisfaction(agent: AuthAgent, q: ReportQuery): Promise<SatisfactionReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const before = previousPeriod(q.from, q.to);
    const [rows, names, comments, previous, asOf] = await this.repo.together((sql) => [
      this.repo.seriesByTeam(scope, q.granularity, SATISFACTION_FIELDS, sql),
      this.repo.names(agent.organizationId, sql),
      this.repo.satisfactionComments(scope, SATISFACTION_COMMENTS_LIMIT, sql),
      this.repo.sums({ ...scope, ...before }, 'day', [], SATISFACTION_FIELDS, sql),
      this.asOf(sql),
    ]);
    const days = periods(q.from, q.to, q.granularity);
    // The distribution of scores is the whole period's; each period and service has its figures.
    const figures = (r?: Partial<DailySumRow>): SatisfactionRow => {
      const { distribution: _d, ...row } = satisfaction(r);
      return row;
    };
    const { sums, ...overall } = overTime(
      rows,
      SATISFACTION_FIELDS,
      days,
      names.teams,
      figures,
      (r) => r.satisfaction_answers > 0,
    );
    return {
      from: q.from,
      to: q.to,
      asOf,
      granularity: q.granularity,
      totals: satisfaction(sums),
      previous: { ...before, totals: figures(previous[0]) },
      comments: comments.map((c) => ({
        answeredAt: c.answered_at.toISOString(),
        score: c.score,
        comment: c.comment,
        teamId: c.team_id,
        teamName: names.teams.get(c.team_id) ?? '',
        conversationId: c.conversation_id,
      })),
      ...overall,
    };
  }

  /**
   * The Services Publics+ indicators of a year (or quarter) as the organization would publish
   * them: no personal data, small counts withheld (open-data-secrecy.ts). Unless the organization
   * publishes yearly only, a year also withholds what its quarters withheld.
   */
  async indicators(agent: AuthAgent, q: IndicatorsQuery): Promise<IndicatorsDto> {
    const org = await this.repo.openDataSettings({ id: agent.organizationId });
    const { from, to } = indicatorPeriod(q.year, q.quarter);
    return this.indicatorFile(this.scope(agent, from, to), org!.name, q, org!.open_data !== 'yearly');
  }

  /**
   * The indicators an organization publishes at its public address: 404 when it publishes none,
   * for a period not over yet, or for a quarter when it publishes years only.
   */
  async publicIndicators(slug: string, q: IndicatorsQuery, today = new Date()): Promise<IndicatorsDto> {
    const org = await this.published(slug);
    if (q.quarter && org.open_data !== 'quarterly')
      throw notFound('indicateurs trimestriels (cette organisation publie par année)');
    if (!closed(q.year, q.quarter, today))
      throw notFound('indicateurs de cette période (seules les périodes terminées sont publiées)');
    const { from, to } = indicatorPeriod(q.year, q.quarter);
    const scope: ReportScope = { organizationId: org.id, from, to, teamIds: null };
    return this.indicatorFile(scope, org.name, q, org.open_data === 'quarterly');
  }

  /** The public catalogue: every closed period since the first month with activity, newest first. */
  async openDataCatalog(slug: string, today = new Date()): Promise<OpenDataCatalogDto> {
    const org = await this.published(slug);
    const first = await this.repo.firstMonth(org.id);
    const year = Number(parisDay(today).slice(0, 4));
    const resources: OpenDataCatalogDto['ressources'] = [];
    const base = openDataPath(org.slug);
    const file = (y: number, quarter?: number) => {
      const query = `year=${y}${quarter ? `&quarter=${quarter}` : ''}`;
      return {
        annee: y,
        trimestre: quarter ?? null,
        csv: `${base}/indicateurs?${query}&format=csv`,
        json: `${base}/indicateurs?${query}&format=json`,
      };
    };
    const firstYear = first ? Number(first.slice(0, 4)) : year;
    for (let y = year; y >= firstYear; y--) {
      if (org.open_data === 'quarterly')
        for (let quarter = 4; quarter >= 1; quarter--) {
          if (closed(y, quarter, today) && (!first || indicatorPeriod(y, quarter).to >= first)) resources.push(file(y, quarter));
        }
      if (y < year) resources.push(file(y));
    }
    return {
      organisation: org.name,
      titre: `Indicateurs de qualité de service — ${org.name}`,
      publication: org.open_data as 'yearly' | 'quarterly',
      licence: {
        nom: 'Licence Ouverte / Open Licence version 2.0',
        url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
      },
      schema: OPEN_DATA_SCHEMA_PATH,
      dialecte_csv: INDICATORS_CSV_DIALECT,
      encodage: 'utf-8',
      seuil_secret_statistique: OPEN_DATA_MIN_COUNT,
      regle_secret_statistique: OPEN_DATA_SECRECY_RULE,
      question_satisfaction: SATISFACTION_QUESTION,
      ressources: resources,
    };
  }

  private async published(slug: string): Promise<{ id: string; slug: string; name: string; open_data: OpenDataMode }> {
    const org = await this.repo.openDataSettings({ slug });
    if (!org || org.open_data === 'off') throw notFound('données ouvertes de cette organisation');
    return org;
  }

  /** One indicator file: the lines of the period, then secrecy (with what its quarters withheld, for a year when `quarterly`). */
  private async indicatorFile(
    scope: ReportScope,
    organisation: string,
    q: IndicatorsQuery,
    quarterly: boolean,
  ): Promise<IndicatorsDto> {
    const file = await this.indicatorLines(scope, q.year, q.quarter);
    const forced = new Set<string>();
    if (!q.quarter && quarterly)
      for (const quarter of [1, 2, 3, 4]) {
        const p = indicatorPeriod(q.year, quarter);
        const part = await this.indicatorLines({ ...scope, ...p }, q.year, quarter);
        for (const c of withheldCells(part.lines, part.total)) forced.add(c);
      }
    const withheld = withheldCells(file.lines, file.total, forced);
    return {
      organisation,
      annee: q.year,
      trimestre: q.quarter ?? null,
      question_satisfaction: SATISFACTION_QUESTION,
      seuil_secret_statistique: OPEN_DATA_MIN_COUNT,
      indicateurs: [
        ...file.lines.map((l) => applySecrecy(l.key, l.row, withheld)),
        applySecrecy(file.total.key, file.total.row, withheld),
      ],
    };
  }

  /** The figures of each service and of the whole, before secrecy, with the populations they stand on. */
  private async indicatorLines(
    scope: ReportScope,
    year: number,
    quarter: number | undefined,
  ): Promise<{ lines: IndicatorLine[]; total: IndicatorLine }> {
    const [rows, hist, names] = await this.repo.together((sql) => [
      this.repo.sums(scope, 'day', ['team'], ALL_SUM_FIELDS, sql),
      this.repo.durations(scope, sql),
      this.repo.names(scope.organizationId, sql),
    ]);
    const pct = (n: number, d: number) => (d > 0 ? round((100 * n) / d, 1) : null);
    const line = (key: string, service: string, r: DailySumRow | undefined, teamId?: string): IndicatorLine => {
      const s = satisfaction(r);
      const fr = hist.filter((h) => h.metric === 'first_response' && (!teamId || h.team_id === teamId));
      const frCount = fr.reduce((a, h) => a + h.n, 0);
      const median = histogramPercentile(fr, 0.5);
      return {
        key,
        populations: {
          demandes: r?.created ?? 0,
          appels: r?.calls_received ?? 0,
          delais: r?.first_responses_with_target ?? 0,
          premiere_reponse: frCount,
          avis: s.answers,
        },
        row: {
          annee: year,
          trimestre: quarter ?? null,
          service,
          demandes_recues: r?.created ?? 0,
          appels_recus: r?.calls_received ?? 0,
          taux_appels_decroches: pct(r?.calls_answered ?? 0, r?.calls_received ?? 0),
          taux_reponses_dans_les_delais: pct(r?.first_responses_on_time ?? 0, r?.first_responses_with_target ?? 0),
          delai_mediane_premiere_reponse_heures: median !== null ? round(median / 60, 1) : null,
          avis_recus: s.answers,
          satisfaction_moyenne: s.average,
          taux_satisfaction_8_sur_10: pct(s.distribution[8]! + s.distribution[9]! + s.distribution[10]!, s.answers),
        },
      };
    };
    const lines = rows
      .filter((r) => r.set === 'team')
      .map((r) => line(r.team_id!, names.teams.get(r.team_id!) ?? '', r, r.team_id!))
      .sort((a, b) => a.row.service.localeCompare(b.row.service, 'fr'));
    const total = line(
      'all',
      scope.teamIds ? 'Ensemble des services suivis' : 'Ensemble des services',
      rows.find((r) => r.set === 'all'),
    );
    return { lines, total };
  }

  indicatorsCsv(dto: IndicatorsDto): string {
    return toCsv(
      INDICATOR_COLUMNS,
      dto.indicateurs.map((r) => INDICATOR_COLUMNS.map((c) => r[c])),
    );
  }

  /** Every table of a report, as CSV tables named as the `table` parameter names them. */
  tables(
    kind: ReportKind,
    dto: VolumesReportDto | ResponseTimesReportDto | TelephoneReportDto | SatisfactionReportDto | AgentsReportDto,
  ): Record<string, CsvTable> {
    const vol = ['demandes_creees', 'reouvertes', 'resolues'];
    const volRow = (r: VolumeRow) => [r.created, r.reopened, r.resolved];
    const tel = ['appels_recus', 'decroches', 'manques', 'rappeles', 'taux_decroche', 'delai_moyen_rappel_minutes'];
    const telRow = (r: TelephoneRow) => [
      r.received,
      r.answered,
      r.missed,
      r.calledBack,
      r.answeredShare,
      r.averageCallbackMinutes,
    ];
    const sat = ['reponses', 'moyenne', 'part_8_ou_plus', 'satisfaction_nette'];
    const satRow = (r: SatisfactionRow) => [r.answers, r.average, r.shareAtLeast8, r.netSatisfaction];
    /** Each service's rows over time, one after the other (the service named on each row). */
    const teamSeries = <R>(teams: Array<TeamSeries<R>>, row: (r: R) => Array<string | number | null>) =>
      teams.flatMap((team) => team.series.map((r) => [team.teamName, r.period, ...row(r)]));
    const dur = (prefix: string) => [
      `${prefix}_nombre`,
      `${prefix}_mediane_minutes`,
      `${prefix}_p90_minutes`,
      `${prefix}_mediane_minutes_heures_ouverture`,
      `${prefix}_p90_minutes_heures_ouverture`,
    ];
    const durRow = (s: DurationPairDto) => [
      s.count,
      s.medianMinutes,
      s.p90Minutes,
      s.openingHours.medianMinutes,
      s.openingHours.p90Minutes,
    ];
    switch (kind) {
      case 'volumes': {
        const v = dto as VolumesReportDto;
        return {
          series: { header: ['periode', ...vol], rows: v.series.map((r) => [r.period, ...volRow(r)]) },
          byChannel: { header: ['canal', ...vol], rows: v.byChannel.map((r) => [r.channelKind, ...volRow(r)]) },
          byTeam: { header: ['service', ...vol], rows: v.byTeam.map((r) => [r.teamName, ...volRow(r)]) },
          byRequestType: { header: ['demarche', ...vol], rows: v.byRequestType.map((r) => [r.requestTypeName, ...volRow(r)]) },
          backlog: {
            header: ['service', 'ouvertes_fin_de_periode'],
            rows: [...v.backlog.byTeam.map((r) => [r.teamName, r.open]), ['Ensemble', v.backlog.atEnd]],
          },
          backlogSeries: {
            header: ['periode', 'ouvertes_fin_de_periode'],
            rows: v.backlog.series.map((r) => [r.period, r.open]),
          },
          backlogByTeamSeries: {
            header: ['service', 'periode', 'ouvertes_fin_de_periode'],
            rows: teamSeries(v.backlog.byTeamSeries, (r) => [r.open]),
          },
          comparison: {
            header: ['indicateur', `du_${v.from}_au_${v.to}`, `du_${v.previous.from}_au_${v.previous.to}`],
            rows: [
              ['demandes_creees', v.totals.created, v.previous.totals.created],
              ['reouvertes', v.totals.reopened, v.previous.totals.reopened],
              ['resolues', v.totals.resolved, v.previous.totals.resolved],
              ['ouvertes_fin_de_periode', v.backlog.atEnd, v.backlog.previousAtEnd],
            ],
          },
        };
      }
      case 'response-times': {
        const t = dto as ResponseTimesReportDto;
        return {
          byTeam: {
            header: [
              'service',
              ...dur('premiere_reponse'),
              ...dur('resolution'),
              'resolues_avec_echeance_legale',
              'part_dans_l_echeance_legale',
            ],
            rows: [
              ...t.byTeam.map((r) => [
                r.teamName,
                ...durRow(r.firstResponse),
                ...durRow(r.resolution),
                r.legalDeadline.resolved,
                r.legalDeadline.onTimeShare,
              ]),
              [
                'Ensemble',
                ...durRow(t.firstResponse),
                ...durRow(t.resolution),
                t.legalDeadline.resolved,
                t.legalDeadline.onTimeShare,
              ],
            ],
          },
          comparison: comparison(t, [
            ['premieres_reponses', (r) => r.firstResponse.count],
            ['premiere_reponse_mediane_minutes', (r) => r.firstResponse.medianMinutes],
            ['premiere_reponse_p90_minutes', (r) => r.firstResponse.p90Minutes],
            ['premiere_reponse_mediane_minutes_heures_ouverture', (r) => r.firstResponse.openingHours.medianMinutes],
            ['premiere_reponse_p90_minutes_heures_ouverture', (r) => r.firstResponse.openingHours.p90Minutes],
            ['part_dans_le_delai_annonce', (r) => r.firstResponse.onTimeShare],
            ['resolutions', (r) => r.resolution.count],
            ['resolution_mediane_minutes', (r) => r.resolution.medianMinutes],
            ['resolution_p90_minutes', (r) => r.resolution.p90Minutes],
            ['resolution_mediane_minutes_heures_ouverture', (r) => r.resolution.openingHours.medianMinutes],
            ['resolution_p90_minutes_heures_ouverture', (r) => r.resolution.openingHours.p90Minutes],
            ['resolues_avec_echeance_legale', (r) => r.legalDeadline.resolved],
            ['part_dans_l_echeance_legale', (r) => r.legalDeadline.onTimeShare],
          ]),
          byChannel: {
            header: [
              'canal',
              'premieres_reponses_avec_delai_annonce',
              'dans_le_delai_annonce',
              'part_dans_le_delai_annonce',
              'resolues_avec_echeance_legale',
              'dans_l_echeance_legale',
              'part_dans_l_echeance_legale',
            ],
            rows: t.byChannel.map((r) => [
              r.channelKind,
              r.firstResponse.withTarget,
              r.firstResponse.onTime,
              r.firstResponse.onTimeShare,
              r.legalDeadline.resolved,
              r.legalDeadline.onTime,
              r.legalDeadline.onTimeShare,
            ]),
          },
          overdue: {
            header: ['service', 'en_retard', 'echeance_legale_depassee', 'objectif_de_reponse_depasse'],
            rows: [
              ...t.overdue.byTeam.map((r) => [r.teamName, r.total, r.decision, r.response]),
              ['Ensemble', t.overdue.total, t.overdue.decision, t.overdue.response],
            ],
          },
        };
      }
      case 'telephone': {
        const t = dto as TelephoneReportDto;
        return {
          series: { header: ['periode', ...tel], rows: t.series.map((r) => [r.period, ...telRow(r)]) },
          byTeam: {
            header: ['service', ...tel],
            rows: [...t.byTeam.map((r) => [r.teamName, ...telRow(r)]), ['Ensemble', ...telRow(t.totals)]],
          },
          comparison: comparison(
            { from: t.from, to: t.to, ...t.totals, previous: { ...t.previous, ...t.previous.totals } },
            tel.map((name, i) => [name, (r: TelephoneRow) => telRow(r)[i] ?? null]),
          ),
          byTeamSeries: { header: ['service', 'periode', ...tel], rows: teamSeries(t.byTeamSeries, telRow) },
        };
      }
      case 'agents': {
        const a = dto as AgentsReportDto;
        const names = new Map(a.agents.map((r) => [r.agentId, r.agentName]));
        return {
          agents: {
            header: [
              'agent',
              'demandes_traitees',
              'premieres_reponses',
              'premiere_reponse_mediane_minutes',
              'premiere_reponse_mediane_minutes_heures_ouverture',
            ],
            rows: a.agents.map((r) => [
              r.agentName,
              r.handled,
              r.firstResponses,
              r.firstResponseMedianMinutes,
              r.firstResponseMedianOpeningMinutes,
            ]),
          },
          load: {
            header: ['periode', 'agent', 'demandes_traitees', 'premieres_reponses'],
            rows: a.series.map((r) => [r.period, names.get(r.agentId) ?? '', r.handled, r.firstResponses]),
          },
        };
      }
      case 'satisfaction': {
        const s = dto as SatisfactionReportDto;
        return {
          distribution: { header: ['note', 'reponses'], rows: s.totals.distribution.map((n, i) => [i, n]) },
          byTeam: {
            header: ['service', ...sat],
            rows: [...s.byTeam.map((r) => [r.teamName, ...satRow(r)]), ['Ensemble', ...satRow(s.totals)]],
          },
          comparison: comparison(
            { from: s.from, to: s.to, ...s.totals, previous: { ...s.previous, ...s.previous.totals } },
            sat.map((name, i) => [name, (r: SatisfactionRow) => satRow(r)[i] ?? null]),
          ),
          // No identity: the day, the service, the score and the words.
          comments: {
            header: ['date', 'service', 'note', 'commentaire'],
            rows: s.comments.map((c) => [c.answeredAt.slice(0, 10), c.teamName, c.score, c.comment]),
          },
          series: { header: ['periode', ...sat], rows: s.series.map((r) => [r.period, ...satRow(r)]) },
          byTeamSeries: { header: ['service', 'periode', ...sat], rows: teamSeries(s.byTeamSeries, satRow) },
        };
      }
    }
  }

  /** Every table of the report in one workbook, after a sheet naming the report, its period and its filters. */
  async xlsx(agent: AuthAgent, kind: ReportKind, q: ReportQuery, dto: Parameters<ReportsService['tables']>[1]): Promise<Buffer> {
    const names = await this.repo.names(agent.organizationId);
    const about: Array<[string, string]> = [
      ['Rapport', REPORT_TITLES[kind]],
      ['Organisation', names.organization],
      ['Du', q.from],
      ['Au', q.to],
      ['Service', q.teamId ? (names.teams.get(q.teamId) ?? q.teamId) : 'Tous les services suivis'],
      ['Canal', q.channel ?? 'Tous les canaux'],
      ['Démarche', q.requestTypeId ? (names.types.get(q.requestTypeId) ?? q.requestTypeId) : 'Toutes les démarches'],
      ['Étiquette', q.labelId ? (names.labels.get(q.labelId) ?? q.labelId) : 'Toutes les étiquettes'],
    ];
    return reportWorkbook(about, this.tables(kind, dto));
  }

  csv(kind: ReportKind, dto: Parameters<ReportsService['tables']>[1], table?: string): string {
    const tables = this.tables(kind, dto);
    const name = table ?? Object.keys(tables)[0]!;
    const t = tables[name];
    if (!t) throw badRequest(`tableau inconnu : choisissez parmi ${Object.keys(tables).join(', ')}`, [`table: ${table}`]);
    return toCsv(t.header, t.rows);
  }
}
