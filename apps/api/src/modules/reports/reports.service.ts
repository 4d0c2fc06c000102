import { Injectable } from '@nestjs/common';
import {
  histogramPercentile,
  INDICATOR_COLUMNS,
  OPEN_DATA_MIN_COUNT,
  SATISFACTION_COMMENTS_LIMIT,
  SATISFACTION_QUESTION,
  toCsv,
  type ChannelKind,
  type DurationStatsDto,
  type IndicatorRow,
  type IndicatorsDto,
  type IndicatorsQuery,
  type ReportGranularity,
  type ReportQuery,
  type ResponseTimesReportDto,
  type SatisfactionReportDto,
  type SatisfactionRow,
  type TelephoneReportDto,
  type TelephoneRow,
  type VolumeRow,
  type VolumesReportDto,
} from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { badRequest, forbidden } from '../../common/errors';
import { reportWorkbook, type ReportTable } from './report-workbook';
import { ReportsRepository, type DailySumRow, type ReportScope } from './reports.repository';

export type CsvTable = ReportTable;

export type ReportKind = 'volumes' | 'response-times' | 'telephone' | 'satisfaction';

const REPORT_TITLES: Record<ReportKind, string> = {
  volumes: 'Volumes de demandes',
  'response-times': 'Délais de réponse et de résolution',
  telephone: 'Téléphone',
  satisfaction: 'Satisfaction des usagers',
};

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

const volume = (r?: DailySumRow): VolumeRow => ({
  created: r?.created ?? 0,
  reopened: r?.reopened ?? 0,
  resolved: r?.resolved ?? 0,
});

function telephone(r?: DailySumRow): TelephoneRow {
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

function satisfaction(r?: DailySumRow): SatisfactionRow & { distribution: number[] } {
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

function stats(buckets: Array<{ bucket: number; n: number }>): DurationStatsDto {
  return {
    count: buckets.reduce((s, b) => s + b.n, 0),
    medianMinutes: histogramPercentile(buckets, 0.5),
    p90Minutes: histogramPercentile(buckets, 0.9),
  };
}

/**
 * Reports of the organization from the daily aggregates: supervisors see their services, admins
 * every one; the open-data indicators (Services Publics+ engagement 6) with small counts withheld.
 */
@Injectable()
export class ReportsService {
  constructor(private readonly repo: ReportsRepository) {}

  /** Which services the agent may report on, within the one asked for. */
  private scope(
    agent: AuthAgent,
    from: string,
    to: string,
    teamId?: string,
    filters: Pick<ReportQuery, 'channel' | 'requestTypeId'> = {},
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
    };
  }

  async volumes(agent: AuthAgent, q: ReportQuery): Promise<VolumesReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const rows = await this.repo.sums(scope, q.granularity, ['period', 'team', 'channel', 'type']);
    const names = await this.repo.names(agent.organizationId);
    const of = (set: DailySumRow['set']) => rows.filter((r) => r.set === set);
    const byPeriod = new Map(of('period').map((r) => [r.period!, r]));
    return {
      from: q.from,
      to: q.to,
      granularity: q.granularity,
      totals: volume(of('all')[0]),
      series: periods(q.from, q.to, q.granularity).map((period) => ({ period, ...volume(byPeriod.get(period)) })),
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
    };
  }

  async responseTimes(agent: AuthAgent, q: ReportQuery): Promise<ResponseTimesReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const [hist, sums, names] = await Promise.all([
      this.repo.durations(scope),
      this.repo.sums(scope, 'day', []),
      this.repo.names(agent.organizationId),
    ]);
    const pick = (metric: string, teamId?: string) =>
      hist.filter((h) => h.metric === metric && (!teamId || h.team_id === teamId)).map((h) => ({ bucket: h.bucket, n: h.n }));
    const total = sums[0];
    const withTarget = total?.first_responses_with_target ?? 0;
    const onTime = total?.first_responses_on_time ?? 0;
    const teams = [...new Set(hist.map((h) => h.team_id))];
    return {
      from: q.from,
      to: q.to,
      firstResponse: { ...stats(pick('first_response')), withTarget, onTime, onTimeShare: share(onTime, withTarget) },
      resolution: stats(pick('resolution')),
      byTeam: teams
        .map((teamId) => ({
          teamId,
          teamName: names.teams.get(teamId) ?? '',
          firstResponse: stats(pick('first_response', teamId)),
          resolution: stats(pick('resolution', teamId)),
        }))
        .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
    };
  }

  async telephone(agent: AuthAgent, q: ReportQuery): Promise<TelephoneReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const rows = await this.repo.sums(scope, q.granularity, ['period', 'team']);
    const names = await this.repo.names(agent.organizationId);
    const all = rows.find((r) => r.set === 'all');
    const byPeriod = new Map(rows.filter((r) => r.set === 'period').map((r) => [r.period!, r]));
    return {
      from: q.from,
      to: q.to,
      totals: telephone(all),
      series: periods(q.from, q.to, q.granularity).map((period) => ({ period, ...telephone(byPeriod.get(period)) })),
      byTeam: rows
        .filter((r) => r.set === 'team' && r.calls_received > 0)
        .map((r) => ({ teamId: r.team_id!, teamName: names.teams.get(r.team_id!) ?? '', ...telephone(r) }))
        .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
    };
  }

  async satisfaction(agent: AuthAgent, q: ReportQuery): Promise<SatisfactionReportDto> {
    const scope = this.scope(agent, q.from, q.to, q.teamId, q);
    const [rows, names, comments] = await Promise.all([
      this.repo.sums(scope, 'day', ['team']),
      this.repo.names(agent.organizationId),
      this.repo.satisfactionComments(scope, SATISFACTION_COMMENTS_LIMIT),
    ]);
    return {
      from: q.from,
      to: q.to,
      totals: satisfaction(rows.find((r) => r.set === 'all')),
      comments: comments.map((c) => ({
        answeredAt: c.answered_at.toISOString(),
        score: c.score,
        comment: c.comment,
        teamId: c.team_id,
        teamName: names.teams.get(c.team_id) ?? '',
        conversationId: c.conversation_id,
      })),
      byTeam: rows
        .filter((r) => r.set === 'team' && r.satisfaction_answers > 0)
        .map((r) => {
          const { distribution: _d, ...row } = satisfaction(r);
          return { teamId: r.team_id!, teamName: names.teams.get(r.team_id!) ?? '', ...row };
        })
        .sort((a, b) => a.teamName.localeCompare(b.teamName, 'fr')),
    };
  }

  /**
   * The Services Publics+ indicators of a year (or quarter), per service and for the whole
   * organization: no personal data, and every count below OPEN_DATA_MIN_COUNT (and every share
   * or mean computed from so few) withheld as null.
   */
  async indicators(agent: AuthAgent, q: IndicatorsQuery): Promise<IndicatorsDto> {
    const from = q.quarter ? `${q.year}-${String((q.quarter - 1) * 3 + 1).padStart(2, '0')}-01` : `${q.year}-01-01`;
    const endMonth = q.quarter ? q.quarter * 3 : 12;
    const to = new Date(Date.UTC(q.year, endMonth, 0)).toISOString().slice(0, 10);
    const scope = this.scope(agent, from, to);
    const [rows, hist, names] = await Promise.all([
      this.repo.sums(scope, 'day', ['team']),
      this.repo.durations(scope),
      this.repo.names(agent.organizationId),
    ]);
    const secret = (n: number) => (n > 0 && n < OPEN_DATA_MIN_COUNT ? null : n);
    const pct = (n: number, d: number) => (d >= OPEN_DATA_MIN_COUNT ? round((100 * n) / d, 1) : null);
    const line = (service: string, r: DailySumRow | undefined, teamId?: string): IndicatorRow => {
      const s = satisfaction(r);
      const fr = hist.filter((h) => h.metric === 'first_response' && (!teamId || h.team_id === teamId));
      const frCount = fr.reduce((a, h) => a + h.n, 0);
      const median = histogramPercentile(fr, 0.5);
      return {
        annee: q.year,
        trimestre: q.quarter ?? null,
        service,
        demandes_recues: secret(r?.created ?? 0),
        appels_recus: secret(r?.calls_received ?? 0),
        taux_appels_decroches: pct(r?.calls_answered ?? 0, r?.calls_received ?? 0),
        taux_reponses_dans_les_delais: pct(r?.first_responses_on_time ?? 0, r?.first_responses_with_target ?? 0),
        delai_mediane_premiere_reponse_heures: frCount >= OPEN_DATA_MIN_COUNT && median !== null ? round(median / 60, 1) : null,
        avis_recus: secret(s.answers),
        satisfaction_moyenne: s.answers >= OPEN_DATA_MIN_COUNT ? s.average : null,
        taux_satisfaction_8_sur_10: pct(s.distribution[8]! + s.distribution[9]! + s.distribution[10]!, s.answers),
      };
    };
    const teamRows = rows
      .filter((r) => r.set === 'team')
      .map((r) => ({ name: names.teams.get(r.team_id!) ?? '', r }))
      .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    const all = rows.find((r) => r.set === 'all');
    return {
      organisation: names.organization,
      annee: q.year,
      trimestre: q.quarter ?? null,
      question_satisfaction: SATISFACTION_QUESTION,
      seuil_secret_statistique: OPEN_DATA_MIN_COUNT,
      indicateurs: [
        ...teamRows.map(({ name, r }) => line(name, r, r.team_id!)),
        line(scope.teamIds ? 'Ensemble des services suivis' : 'Ensemble des services', all),
      ],
    };
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
    dto: VolumesReportDto | ResponseTimesReportDto | TelephoneReportDto | SatisfactionReportDto,
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
    const dur = (prefix: string) => [`${prefix}_nombre`, `${prefix}_mediane_minutes`, `${prefix}_p90_minutes`];
    const durRow = (s: DurationStatsDto) => [s.count, s.medianMinutes, s.p90Minutes];
    switch (kind) {
      case 'volumes': {
        const v = dto as VolumesReportDto;
        return {
          series: { header: ['periode', ...vol], rows: v.series.map((r) => [r.period, ...volRow(r)]) },
          byChannel: { header: ['canal', ...vol], rows: v.byChannel.map((r) => [r.channelKind, ...volRow(r)]) },
          byTeam: { header: ['service', ...vol], rows: v.byTeam.map((r) => [r.teamName, ...volRow(r)]) },
          byRequestType: { header: ['demarche', ...vol], rows: v.byRequestType.map((r) => [r.requestTypeName, ...volRow(r)]) },
        };
      }
      case 'response-times': {
        const t = dto as ResponseTimesReportDto;
        return {
          byTeam: {
            header: ['service', ...dur('premiere_reponse'), ...dur('resolution')],
            rows: [
              ...t.byTeam.map((r) => [r.teamName, ...durRow(r.firstResponse), ...durRow(r.resolution)]),
              ['Ensemble', ...durRow(t.firstResponse), ...durRow(t.resolution)],
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
        };
      }
      case 'satisfaction': {
        const s = dto as SatisfactionReportDto;
        return {
          distribution: { header: ['note', 'reponses'], rows: s.totals.distribution.map((n, i) => [i, n]) },
          byTeam: {
            header: ['service', 'reponses', 'moyenne', 'part_8_ou_plus', 'satisfaction_nette'],
            rows: [
              ...s.byTeam.map((r) => [r.teamName, r.answers, r.average, r.shareAtLeast8, r.netSatisfaction]),
              ['Ensemble', s.totals.answers, s.totals.average, s.totals.shareAtLeast8, s.totals.netSatisfaction],
            ],
          },
          // No identity: the day, the service, the score and the words.
          comments: {
            header: ['date', 'service', 'note', 'commentaire'],
            rows: s.comments.map((c) => [c.answeredAt.slice(0, 10), c.teamName, c.score, c.comment]),
          },
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
