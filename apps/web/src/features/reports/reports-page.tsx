import {
  CHANNEL_KINDS,
  type AgentDto,
  type AgentsReportDto,
  type ChannelKind,
  type ReportGranularity,
  type RequestTypeDto,
  type TeamDto,
  type TeamSeries,
  type VolumeRow,
} from '@guichet/contracts';
import { useQueries } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useId, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { queryKeys } from '../../api/query-keys';
import { requestTypesApi } from '../../api/request-types';
import { reportsApi, type ReportFilters, type ReportKind } from '../../api/reports';
import { useLabels } from '../../hooks/use-labels';
import { useReport } from '../../hooks/use-reports';
import { downloadFromApi } from '../../lib/download';
import { apiErrorText } from '../../lib/api-error-text';
import { useAnnounce } from '../../lib/use-announcer';
import { BarChart, DataTable, LineChart, type ChartPoint } from './report-chart';
import { currentPeriod, formatMinutes, formatShare, periodProblem, periodRange, type PeriodChoice } from './report-period';
import { addFrenchWords } from '../../i18n';
import { supervisionFr } from '../../i18n/fr-supervision';

addFrenchWords(supervisionFr);

const MONTHS_SHORT = new Intl.DateTimeFormat('fr-FR', { month: 'short', timeZone: 'UTC' });
const DAY_LONG = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' });
const MONTH_LONG = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const NUMBER = new Intl.NumberFormat('fr-FR');
const AS_OF = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** The points of a series (each period's first day), short under the axis and long in the table. */
function periodPoints(rows: Array<{ period: string }>, granularity: ReportGranularity, t: TFunction): ChartPoint[] {
  return rows.map(({ period }) => {
    const date = new Date(`${period}T00:00:00Z`);
    if (granularity === 'month') return { label: MONTHS_SHORT.format(date), longLabel: MONTH_LONG.format(date) };
    if (granularity === 'week')
      return {
        label: period.slice(8, 10) + '/' + period.slice(5, 7),
        longLabel: t('reports.weekOf', { day: DAY_LONG.format(date) }),
      };
    return { label: period.slice(8, 10), longLabel: DAY_LONG.format(date) };
  });
}

/**
 * Services Publics+ engagement 6: the share of calls answered by an agent to reach. Kept here, not
 * in the contracts: a value imported from their reports module brings its zod schemas along.
 */
const ANSWERED_CALLS_TARGET = 0.85;

/** Two hints of a figure on one line. */
const hints = (...parts: string[]) => parts.join(' · ');
const scoreOf = (average: number | null) => (average === null ? '—' : `${NUMBER.format(average)} / 10`);
const netOf = (net: number | null) => (net === null ? '—' : NUMBER.format(net));

function ExportButtons({ kind, filters, tables }: { kind: ReportKind; filters: ReportFilters; tables: Array<[string, string]> }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const run = async (path: string, name: string) => {
    setError(null);
    try {
      await downloadFromApi(path, name);
      announce(t('reports.downloaded'));
    } catch (e) {
      setError(apiErrorText(t, e));
    }
  };
  return (
    <div className="report-exports" role="group" aria-label={t('reports.exportsOf', { name: t(`reports.kind.${kind}`) })}>
      <button
        type="button"
        className="button"
        onClick={() => void run(reportsApi.exportPath(kind, filters, 'xlsx'), `${kind}.xlsx`)}
      >
        {t('reports.exportXlsx')}
      </button>
      {tables.map(([table, label]) => (
        <button
          key={table}
          type="button"
          className="button button--secondary"
          onClick={() => void run(reportsApi.exportPath(kind, filters, 'csv', table), `${kind}-${table}.csv`)}
        >
          {t('reports.exportCsv', { table: label })}
        </button>
      ))}
      {error && (
        <p role="alert" className="notice notice--warning">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Files created, reopened and resolved per period, channel, service or démarche: one row each,
 * its name as the row header (a chart's table too: its caption hidden, the disclosure names it).
 */
function VolumeTable({
  caption,
  hideCaption,
  nameHeader,
  rows,
  testId,
}: {
  caption: string;
  hideCaption?: boolean;
  nameHeader: string;
  rows: Array<VolumeRow & { name: string }>;
  testId?: string;
}) {
  const { t } = useTranslation();
  const count = (k: keyof VolumeRow) => ({ header: t(`reports.${k}`), cell: (r: VolumeRow) => NUMBER.format(r[k]) });
  return (
    <DataTable
      caption={caption}
      hideCaption={hideCaption}
      nameHeader={nameHeader}
      rows={rows}
      name={(r) => r.name}
      columns={[count('created'), count('reopened'), count('resolved')]}
      testId={testId}
    />
  );
}

/** New files and reopened ones side by side (bars), their table with the resolved ones. */
function VolumeChart({
  testId,
  title,
  labelHeader,
  points,
  rows,
}: {
  testId: string;
  title: string;
  labelHeader: string;
  points: ChartPoint[];
  rows: VolumeRow[];
}) {
  const { t } = useTranslation();
  return (
    <BarChart
      testId={testId}
      title={title}
      labelHeader={labelHeader}
      points={points}
      series={[
        { name: t('reports.created'), values: rows.map((r) => r.created) },
        { name: t('reports.reopened'), values: rows.map((r) => r.reopened) },
      ]}
      table={
        <VolumeTable
          caption={title}
          hideCaption
          nameHeader={labelHeader}
          rows={rows.map((r, i) => ({ ...r, name: points[i]!.longLabel ?? points[i]!.label }))}
        />
      }
    />
  );
}

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="report-figure" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        <span className="report-figure__value">{value}</span>
        {hint && <span className="report-figure__hint">{hint}</span>}
      </dd>
    </div>
  );
}

function PeriodPicker({ value, onChange }: { value: PeriodChoice; onChange: (p: PeriodChoice) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const years = useMemo(() => {
    const now = currentPeriod().year;
    return Array.from({ length: 6 }, (_, i) => now - i);
  }, []);
  const set = (patch: Partial<PeriodChoice>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="report-period">
      <legend>{t('reports.period')}</legend>
      <label htmlFor={`${id}-kind`}>{t('reports.periodKind')}</label>
      <select id={`${id}-kind`} value={value.kind} onChange={(e) => set({ kind: e.target.value as PeriodChoice['kind'] })}>
        {(['month', 'quarter', 'year', 'custom'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`reports.periodKinds.${k}`)}
          </option>
        ))}
      </select>
      {value.kind === 'month' && (
        <>
          <label htmlFor={`${id}-month`}>{t('reports.month')}</label>
          <input
            id={`${id}-month`}
            type="month"
            value={value.month}
            required
            onChange={(e) => e.target.value && set({ month: e.target.value })}
          />
        </>
      )}
      {(value.kind === 'quarter' || value.kind === 'year') && (
        <>
          <label htmlFor={`${id}-year`}>{t('reports.year')}</label>
          <select id={`${id}-year`} value={value.year} onChange={(e) => set({ year: Number(e.target.value) })}>
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </>
      )}
      {value.kind === 'quarter' && (
        <>
          <label htmlFor={`${id}-quarter`}>{t('reports.quarter')}</label>
          <select
            id={`${id}-quarter`}
            value={value.quarter}
            onChange={(e) => set({ quarter: Number(e.target.value) as PeriodChoice['quarter'] })}
          >
            {[1, 2, 3, 4].map((q) => (
              <option key={q} value={q}>
                {t('reports.quarterN', { n: q })}
              </option>
            ))}
          </select>
        </>
      )}
      {value.kind === 'custom' && (
        <>
          <label htmlFor={`${id}-from`}>{t('reports.from')}</label>
          <input id={`${id}-from`} type="date" value={value.from} onChange={(e) => set({ from: e.target.value })} />
          <label htmlFor={`${id}-to`}>{t('reports.to')}</label>
          <input id={`${id}-to`} type="date" value={value.to} onChange={(e) => set({ to: e.target.value })} />
        </>
      )}
    </fieldset>
  );
}

/**
 * « Rapports » (issue 15): how the town answers over a month, a quarter, a year or chosen days,
 * for every service the agent supervises (admins: all), by channel — volumes, response and
 * resolution times, the telephone, citizens' satisfaction — each chart with its table, each
 * table exportable (CSV; the whole report as XLSX), and the yearly open-data indicators.
 */
export function ReportsPage({ me, teams }: { me: AgentDto; teams: TeamDto[] | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  const [period, setPeriod] = useState<PeriodChoice>(() => currentPeriod());
  const [teamId, setTeamId] = useState('');
  const [channel, setChannel] = useState<ChannelKind | ''>('');
  const [requestTypeId, setRequestTypeId] = useState('');
  const [labelId, setLabelId] = useState('');
  const problem = periodProblem(period);
  const [applied, setApplied] = useState<ReportFilters>(() => periodRange(currentPeriod()));
  const filters: ReportFilters = useMemo(() => {
    if (problem) return applied;
    return {
      ...periodRange(period),
      teamId: teamId || undefined,
      channel: channel || undefined,
      requestTypeId: requestTypeId || undefined,
      labelId: labelId || undefined,
    };
  }, [period, teamId, channel, requestTypeId, labelId, problem, applied]);
  if (!problem && JSON.stringify(filters) !== JSON.stringify(applied)) setApplied(filters);

  const visibleTeams = useMemo(
    () =>
      [...(teams ?? [])]
        .filter((team) => me.role === 'admin' || me.teamIds.includes(team.id))
        .sort((a, b) => a.name.localeCompare(b.name, 'fr')),
    [teams, me],
  );
  // The démarches of the services shown (of the one chosen, or of each one followed), grouped by service.
  const typeTeams = teamId ? visibleTeams.filter((team) => team.id === teamId) : visibleTeams;
  const types = useQueries({
    queries: typeTeams.map((team) => ({
      queryKey: queryKeys.requestTypes(team.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => requestTypesApi.list(team.id, signal),
      staleTime: 5 * 60_000,
    })),
  });
  const typeGroups = typeTeams
    .map((team, i) => ({ team, types: [...((types[i]?.data as RequestTypeDto[] | undefined) ?? [])] }))
    .filter((g) => g.types.length > 0)
    .map((g) => ({ ...g, types: g.types.sort((a, b) => a.name.localeCompare(b.name, 'fr')) }));
  const labels = useLabels();
  const sortedLabels = useMemo(() => [...(labels.data ?? [])].sort((a, b) => a.name.localeCompare(b.name, 'fr')), [labels.data]);
  // Per agent: the period and the service only (the agents' rows are not split by channel, démarche or label).
  const agentFilters: ReportFilters = useMemo(
    () => ({ from: filters.from, to: filters.to, teamId: filters.teamId }),
    [filters.from, filters.to, filters.teamId],
  );
  const workload = useReport('agents', agentFilters);
  const volumes = useReport('volumes', filters);
  const times = useReport('response-times', filters);
  const phone = useReport('telephone', filters);
  const satisfaction = useReport('satisfaction', filters);
  const loading = [volumes, times, phone, satisfaction, workload].some((q) => q.isFetching);
  const failed = [volumes, times, phone, satisfaction, workload].find((q) => q.error)?.error;
  const channelName = (k: string) => t(`channel.${k}`, { defaultValue: k });
  const v = volumes.data;
  const rt = times.data;
  const tel = phone.data;
  const sat = satisfaction.data;
  // The services the report covers, together: what the charts over time show before one is picked.
  const allTeams = me.role === 'admin' ? t('reports.allTeams') : t('reports.myTeams');

  return (
    <div className="reports" aria-busy={loading}>
      <h1 className="board__title">{t('reports.title')}</h1>
      <form className="report-filters" onSubmit={(e) => e.preventDefault()} aria-label={t('reports.filters')}>
        <PeriodPicker value={period} onChange={setPeriod} />
        <div className="report-filters__field">
          <label htmlFor={`${id}-team`}>{t('reports.team')}</label>
          <select id={`${id}-team`} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">{me.role === 'admin' ? t('reports.allTeams') : t('reports.myTeams')}</option>
            {visibleTeams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </div>
        <div className="report-filters__field">
          <label htmlFor={`${id}-channel`}>{t('reports.channel')}</label>
          <select id={`${id}-channel`} value={channel} onChange={(e) => setChannel(e.target.value as ChannelKind | '')}>
            <option value="">{t('reports.allChannels')}</option>
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {channelName(k)}
              </option>
            ))}
          </select>
        </div>
        <div className="report-filters__field">
          <label htmlFor={`${id}-type`}>{t('reports.requestType')}</label>
          <select id={`${id}-type`} value={requestTypeId} onChange={(e) => setRequestTypeId(e.target.value)}>
            <option value="">{t('reports.allRequestTypes')}</option>
            {typeGroups.map((g) =>
              typeGroups.length > 1 ? (
                <optgroup key={g.team.id} label={g.team.name}>
                  {g.types.map((rt) => (
                    <option key={rt.id} value={rt.id}>
                      {rt.name}
                    </option>
                  ))}
                </optgroup>
              ) : (
                g.types.map((rt) => (
                  <option key={rt.id} value={rt.id}>
                    {rt.name}
                  </option>
                ))
              ),
            )}
            {/* A démarche chosen, then its service left out: it stays listed while chosen. */}
            {requestTypeId && !typeGroups.some((g) => g.types.some((rt) => rt.id === requestTypeId)) && (
              <option value={requestTypeId}>{t('reports.requestType')}</option>
            )}
          </select>
        </div>
        <div className="report-filters__field">
          <label htmlFor={`${id}-label`}>{t('reports.label')}</label>
          <select
            id={`${id}-label`}
            value={labelId}
            onChange={(e) => setLabelId(e.target.value)}
            aria-describedby={labelId ? `${id}-label-hint` : undefined}
          >
            <option value="">{t('reports.allLabels')}</option>
            {sortedLabels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
          {labelId && (
            <p id={`${id}-label-hint`} className="report-figure__hint">
              {t('reports.labelHint')}
            </p>
          )}
        </div>
      </form>
      <p className="report-status" role="status" aria-live="polite">
        {problem
          ? t(`reports.problem.${problem}`)
          : loading
            ? t('reports.loading')
            : t('reports.showing', {
                from: DAY_LONG.format(new Date(`${filters.from}T00:00:00Z`)),
                to: DAY_LONG.format(new Date(`${filters.to}T00:00:00Z`)),
              })}
      </p>
      {failed && (
        <p role="alert" className="notice notice--warning">
          {apiErrorText(t, failed)}
        </p>
      )}

      {v && rt && tel && sat && (
        <>
          <section className="board__section" aria-labelledby={`${id}-summary`}>
            <h2 id={`${id}-summary`} className="board__heading">
              {t('reports.summary')}
            </h2>
            {v.asOf && (
              <p className="report-as-of" data-testid="report-as-of">
                {t('reports.asOf', { at: AS_OF.format(new Date(v.asOf)) })}
              </p>
            )}
            <dl className="report-figures">
              <Figure
                testId="figure-created"
                label={t('reports.created')}
                value={NUMBER.format(v.totals.created)}
                hint={t('reports.previous', { value: NUMBER.format(v.previous.totals.created) })}
              />
              <Figure
                label={t('reports.resolved')}
                value={NUMBER.format(v.totals.resolved)}
                hint={t('reports.previous', { value: NUMBER.format(v.previous.totals.resolved) })}
              />
              <Figure
                label={t('reports.reopened')}
                value={NUMBER.format(v.totals.reopened)}
                hint={t('reports.previous', { value: NUMBER.format(v.previous.totals.reopened) })}
              />
              <Figure
                testId="figure-backlog"
                label={t('reports.backlog')}
                value={NUMBER.format(v.backlog.atEnd)}
                hint={t('reports.previous', { value: NUMBER.format(v.backlog.previousAtEnd) })}
              />
              <Figure
                testId="figure-first-response"
                label={t('reports.firstResponseMedian')}
                value={formatMinutes(rt.firstResponse.medianMinutes)}
                hint={hints(
                  t('reports.openingHours', { value: formatMinutes(rt.firstResponse.openingHours.medianMinutes) }),
                  t('reports.p90', { value: formatMinutes(rt.firstResponse.p90Minutes) }),
                  t('reports.previous', { value: formatMinutes(rt.previous.firstResponse.medianMinutes) }),
                )}
              />
              <Figure
                testId="figure-on-time"
                label={t('reports.onTimeShare')}
                value={formatShare(rt.firstResponse.onTimeShare)}
                hint={hints(
                  t('reports.onTimeOf', { onTime: rt.firstResponse.onTime, total: rt.firstResponse.withTarget }),
                  t('reports.previous', { value: formatShare(rt.previous.firstResponse.onTimeShare) }),
                )}
              />
              <Figure
                testId="figure-legal"
                label={t('reports.legalShare')}
                value={formatShare(rt.legalDeadline.onTimeShare)}
                hint={hints(
                  t('reports.legalOf', { onTime: rt.legalDeadline.onTime, total: rt.legalDeadline.resolved }),
                  t('reports.previous', { value: formatShare(rt.previous.legalDeadline.onTimeShare) }),
                )}
              />
              <Figure
                testId="figure-overdue"
                label={t('reports.overdueNow')}
                value={NUMBER.format(rt.overdue.total)}
                hint={t('reports.overdueHint', {
                  decision: NUMBER.format(rt.overdue.decision),
                  response: NUMBER.format(rt.overdue.response),
                })}
              />
              <Figure
                testId="figure-resolution"
                label={t('reports.resolutionMedian')}
                value={formatMinutes(rt.resolution.medianMinutes)}
                hint={hints(
                  t('reports.openingHours', { value: formatMinutes(rt.resolution.openingHours.medianMinutes) }),
                  t('reports.p90', { value: formatMinutes(rt.resolution.p90Minutes) }),
                  t('reports.previous', { value: formatMinutes(rt.previous.resolution.medianMinutes) }),
                )}
              />
              <Figure
                testId="figure-answered"
                label={t('reports.answeredShare')}
                value={formatShare(tel.totals.answeredShare)}
                hint={hints(
                  t('reports.callsOf', { count: tel.totals.received }),
                  t('reports.previous', { value: formatShare(tel.previous.totals.answeredShare) }),
                )}
              />
              <Figure
                testId="figure-satisfaction"
                label={t('reports.satisfactionAverage')}
                value={scoreOf(sat.totals.average)}
                hint={hints(
                  t('reports.answers', { count: sat.totals.answers }),
                  t('reports.previous', { value: scoreOf(sat.previous.totals.average) }),
                )}
              />
            </dl>
          </section>

          <section className="board__section" aria-labelledby={`${id}-volumes`}>
            <h2 id={`${id}-volumes`} className="board__heading">
              {t('reports.kind.volumes')}
            </h2>
            <VolumeChart
              testId="chart-volumes"
              title={t('reports.volumesPer', { granularity: t(`reports.granularity.${v.granularity}`) })}
              labelHeader={t('reports.periodColumn')}
              points={periodPoints(v.series, v.granularity, t)}
              rows={v.series}
            />
            <LineChart
              testId="chart-backlog"
              title={t('reports.backlogPer', { granularity: t(`reports.granularity.${v.granularity}`) })}
              labelHeader={t('reports.periodColumn')}
              points={periodPoints(v.backlog.series, v.granularity, t)}
              series={[{ name: t('reports.backlog'), values: v.backlog.series.map((r) => r.open) }]}
            />
            {v.backlog.byTeamSeries.length > 1 && (
              <TeamOverTime
                testId="team-backlog"
                pickLabel={t('reports.backlogTeamPick')}
                granularity={v.granularity}
                teams={v.backlog.byTeamSeries}
                charts={({ series, points, team, words }) => (
                  <LineChart
                    testId="chart-team-backlog"
                    title={t('reports.backlogTeamPer', { name: team ?? '', granularity: words.granularity })}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[{ name: t('reports.backlog'), values: series.map((r) => r.open) }]}
                  />
                )}
              />
            )}
            <VolumeChart
              testId="chart-channels"
              title={t('reports.byChannel')}
              labelHeader={t('reports.channel')}
              points={v.byChannel.map((r) => ({ label: channelName(r.channelKind) }))}
              rows={v.byChannel}
            />
            <VolumeTable
              caption={t('reports.byTeam')}
              nameHeader={t('reports.team')}
              rows={v.byTeam.map((r) => ({ ...r, name: r.teamName }))}
            />
            {v.byRequestType.length > 0 && (
              <VolumeTable
                testId="table-request-types"
                caption={t('reports.byRequestType')}
                nameHeader={t('reports.requestType')}
                rows={v.byRequestType.map((r) => ({ ...r, name: r.requestTypeName }))}
              />
            )}
            <ExportButtons
              kind="volumes"
              filters={filters}
              tables={[
                ['series', t('reports.periodColumn')],
                ['byChannel', t('reports.channel')],
                ['byTeam', t('reports.team')],
                ['byRequestType', t('reports.requestType')],
                ['backlog', t('reports.backlog')],
                ['backlogSeries', t('reports.backlogSeries')],
                ['backlogByTeamSeries', t('reports.backlogByTeamSeries')],
                ['comparison', t('reports.comparison')],
              ]}
            />
          </section>

          <section className="board__section" aria-labelledby={`${id}-times`}>
            <h2 id={`${id}-times`} className="board__heading">
              {t('reports.kind.response-times')}
            </h2>
            <table className="report-table" data-testid="table-times">
              <caption>{t('reports.timesCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.team')}</th>
                  <th scope="col">{t('reports.firstResponses')}</th>
                  <th scope="col">{t('reports.median')}</th>
                  <th scope="col">{t('reports.p90Column')}</th>
                  <th scope="col">{t('reports.medianOpening')}</th>
                  <th scope="col">{t('reports.resolutions')}</th>
                  <th scope="col">{t('reports.median')}</th>
                  <th scope="col">{t('reports.p90Column')}</th>
                  <th scope="col">{t('reports.medianOpening')}</th>
                  <th scope="col">{t('reports.legalShare')}</th>
                </tr>
              </thead>
              <tbody>
                {[
                  ...rt.byTeam,
                  {
                    teamId: '',
                    teamName: t('reports.all'),
                    firstResponse: rt.firstResponse,
                    resolution: rt.resolution,
                    legalDeadline: rt.legalDeadline,
                  },
                ].map((r) => (
                  <tr key={r.teamId || 'all'}>
                    <th scope="row">{r.teamName}</th>
                    <td>{NUMBER.format(r.firstResponse.count)}</td>
                    <td>{formatMinutes(r.firstResponse.medianMinutes)}</td>
                    <td>{formatMinutes(r.firstResponse.p90Minutes)}</td>
                    <td>{formatMinutes(r.firstResponse.openingHours.medianMinutes)}</td>
                    <td>{NUMBER.format(r.resolution.count)}</td>
                    <td>{formatMinutes(r.resolution.medianMinutes)}</td>
                    <td>{formatMinutes(r.resolution.p90Minutes)}</td>
                    <td>{formatMinutes(r.resolution.openingHours.medianMinutes)}</td>
                    <td>{formatShare(r.legalDeadline.onTimeShare)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rt.byChannel.length > 0 && (
              <table className="report-table" data-testid="table-times-channels">
                <caption>{t('reports.channelsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('reports.channel')}</th>
                    <th scope="col">{t('reports.withTarget')}</th>
                    <th scope="col">{t('reports.onTimeCount')}</th>
                    <th scope="col">{t('reports.onTimeShare')}</th>
                    <th scope="col">{t('reports.withDeadline')}</th>
                    <th scope="col">{t('reports.legalShare')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rt.byChannel.map((r) => (
                    <tr key={r.channelKind}>
                      <th scope="row">{channelName(r.channelKind)}</th>
                      <td>{NUMBER.format(r.firstResponse.withTarget)}</td>
                      <td>{NUMBER.format(r.firstResponse.onTime)}</td>
                      <td>{formatShare(r.firstResponse.onTimeShare)}</td>
                      <td>{NUMBER.format(r.legalDeadline.resolved)}</td>
                      <td>{formatShare(r.legalDeadline.onTimeShare)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {rt.overdue.byTeam.length === 0 ? (
              <p>{t('reports.overdueNone')}</p>
            ) : (
              <table className="report-table" data-testid="table-overdue">
                <caption>{t('reports.overdueCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('reports.team')}</th>
                    <th scope="col">{t('reports.overdueTotal')}</th>
                    <th scope="col">{t('reports.overdueDecision')}</th>
                    <th scope="col">{t('reports.overdueResponse')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...rt.overdue.byTeam, { ...rt.overdue, teamId: '', teamName: t('reports.all') }].map((r) => (
                    <tr key={r.teamId || 'all'}>
                      <th scope="row">{r.teamName}</th>
                      <td>{NUMBER.format(r.total)}</td>
                      <td>{NUMBER.format(r.decision)}</td>
                      <td>{NUMBER.format(r.response)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <ExportButtons
              kind="response-times"
              filters={filters}
              tables={[
                ['byTeam', t('reports.team')],
                ['byChannel', t('reports.channel')],
                ['overdue', t('reports.overdueTotal')],
                ['comparison', t('reports.comparison')],
              ]}
            />
          </section>

          <section className="board__section" aria-labelledby={`${id}-phone`}>
            <h2 id={`${id}-phone`} className="board__heading">
              {t('reports.kind.telephone')}
            </h2>
            <table className="report-table">
              <caption>{t('reports.phoneCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reports.team')}</th>
                  <th scope="col">{t('reports.callsReceived')}</th>
                  <th scope="col">{t('reports.callsAnswered')}</th>
                  <th scope="col">{t('reports.callsMissed')}</th>
                  <th scope="col">{t('reports.callsCalledBack')}</th>
                  <th scope="col">{t('reports.answeredShare')}</th>
                  <th scope="col">{t('reports.callbackDelay')}</th>
                </tr>
              </thead>
              <tbody>
                {[...tel.byTeam, { ...tel.totals, teamId: '', teamName: t('reports.all') }].map((r) => (
                  <tr key={r.teamId || 'all'}>
                    <th scope="row">{r.teamName}</th>
                    <td>{NUMBER.format(r.received)}</td>
                    <td>{NUMBER.format(r.answered)}</td>
                    <td>{NUMBER.format(r.missed)}</td>
                    <td>{NUMBER.format(r.calledBack)}</td>
                    <td>{formatShare(r.answeredShare)}</td>
                    <td>{formatMinutes(r.averageCallbackMinutes === null ? null : Math.round(r.averageCallbackMinutes))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <TeamOverTime
              testId="phone-over-time"
              pickLabel={t('reports.phoneTeamPick')}
              granularity={tel.granularity}
              whole={{ name: allTeams, series: tel.series }}
              teams={tel.byTeamSeries}
              charts={({ series, points, words }) => (
                <>
                  <BarChart
                    testId="chart-calls"
                    title={t('reports.callsPer', words)}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[
                      { name: t('reports.callsReceived'), values: series.map((r) => r.received) },
                      { name: t('reports.callsAnsweredByAgent'), values: series.map((r) => r.answered) },
                    ]}
                  />
                  <LineChart
                    testId="chart-answered-share"
                    unit="share"
                    title={t('reports.answeredSharePer', words)}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[{ name: t('reports.answeredShareSeries'), values: series.map((r) => r.answeredShare) }]}
                    target={{
                      value: ANSWERED_CALLS_TARGET,
                      name: t('reports.answeredTarget', { value: formatShare(ANSWERED_CALLS_TARGET) }),
                    }}
                  />
                </>
              )}
            />
            <ExportButtons
              kind="telephone"
              filters={filters}
              tables={[
                ['series', t('reports.periodColumn')],
                ['byTeam', t('reports.team')],
                ['byTeamSeries', t('reports.byTeamSeries')],
                ['comparison', t('reports.comparison')],
              ]}
            />
          </section>

          <section className="board__section" aria-labelledby={`${id}-satisfaction`}>
            <h2 id={`${id}-satisfaction`} className="board__heading">
              {t('reports.kind.satisfaction')}
            </h2>
            <p className="report-question">{t('reports.question')}</p>
            <dl className="report-figures">
              <Figure label={t('reports.answersLabel')} value={NUMBER.format(sat.totals.answers)} />
              <Figure
                label={t('reports.shareAtLeast8')}
                value={formatShare(sat.totals.shareAtLeast8)}
                hint={t('reports.previous', { value: formatShare(sat.previous.totals.shareAtLeast8) })}
              />
              <Figure
                label={t('reports.netSatisfaction')}
                value={netOf(sat.totals.netSatisfaction)}
                hint={t('reports.previous', { value: netOf(sat.previous.totals.netSatisfaction) })}
              />
            </dl>
            <BarChart
              testId="chart-scores"
              title={t('reports.distribution')}
              labelHeader={t('reports.score')}
              points={sat.totals.distribution.map((_, score) => ({
                label: String(score),
                longLabel: t('reports.scoreN', { n: score }),
              }))}
              series={[{ name: t('reports.answersLabel'), values: sat.totals.distribution }]}
            />
            <TeamOverTime
              testId="satisfaction-over-time"
              pickLabel={t('reports.satisfactionTeamPick')}
              granularity={sat.granularity}
              whole={{ name: allTeams, series: sat.series }}
              teams={sat.byTeamSeries}
              charts={({ series, points, words }) => (
                <>
                  <BarChart
                    testId="chart-answers"
                    title={t('reports.answersPer', words)}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[{ name: t('reports.answersLabel'), values: series.map((r) => r.answers) }]}
                  />
                  <LineChart
                    testId="chart-share-8"
                    unit="share"
                    title={t('reports.shareAtLeast8Per', words)}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[{ name: t('reports.shareAtLeast8'), values: series.map((r) => r.shareAtLeast8) }]}
                  />
                  <LineChart
                    testId="chart-average"
                    unit="score"
                    title={t('reports.averagePer', words)}
                    labelHeader={t('reports.periodColumn')}
                    points={points}
                    series={[{ name: t('reports.averageScore'), values: series.map((r) => r.average) }]}
                  />
                </>
              )}
            />
            <h3 className="report-subheading">{t('reports.comments')}</h3>
            {sat.comments.length === 0 ? (
              <p>{t('reports.noComments')}</p>
            ) : (
              <ul className="report-comments" data-testid="report-comments">
                {sat.comments.map((c) => (
                  <li key={`${c.conversationId}-${c.answeredAt}`} className="report-comment">
                    <p className="report-comment__meta">
                      {t('reports.commentMeta', {
                        score: c.score,
                        team: c.teamName,
                        day: DAY_LONG.format(new Date(c.answeredAt)),
                      })}
                    </p>
                    <blockquote className="report-comment__text">{c.comment}</blockquote>
                    <p className="report-comment__open">
                      <a
                        href={`#/conversations/${encodeURIComponent(c.conversationId)}`}
                        aria-label={t('reports.openCommentedFile', {
                          score: c.score,
                          day: DAY_LONG.format(new Date(c.answeredAt)),
                        })}
                      >
                        {t('reports.openFile')}
                      </a>
                    </p>
                  </li>
                ))}
              </ul>
            )}
            <ExportButtons
              kind="satisfaction"
              filters={filters}
              tables={[
                ['distribution', t('reports.score')],
                ['byTeam', t('reports.team')],
                ['series', t('reports.periodColumn')],
                ['byTeamSeries', t('reports.byTeamSeries')],
                ['comments', t('reports.comments')],
                ['comparison', t('reports.comparison')],
              ]}
            />
          </section>

          {workload.data && <Workload report={workload.data} filters={agentFilters} />}

          {me.role === 'admin' && <OpenData year={Number(filters.from.slice(0, 4))} />}
        </>
      )}
    </div>
  );
}

/**
 * Figures over time of one service at a time, picked from the keyboard, or of the services
 * together (`whole`, the first choice): the backlog's (the town's is drawn above it), the
 * telephone's, satisfaction's. Every service's are in the report's CSV tables `…ByTeamSeries`.
 */
function TeamOverTime<R>({
  testId,
  pickLabel,
  granularity,
  whole,
  teams,
  charts,
}: {
  testId: string;
  pickLabel: string;
  granularity: ReportGranularity;
  whole?: { name: string; series: Array<R & { period: string }> };
  teams: Array<TeamSeries<R>>;
  /**
   * The charts of the series shown: its points, the service's name (null: the services
   * together) and the words of the titles (`granularity`, `of`: whose figures).
   */
  charts: (shown: {
    series: Array<R & { period: string }>;
    points: ChartPoint[];
    team: string | null;
    words: { granularity: string; of: string };
  }) => ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [picked, setPicked] = useState('');
  const team = teams.find((s) => s.teamId === picked) ?? (whole ? undefined : teams[0]);
  const shown = team ? { series: team.series, team: team.teamName } : whole && { series: whole.series, team: null };
  return (
    <div className="report-team-series" data-testid={testId}>
      {teams.length > (whole ? 1 : 0) && (
        <div className="report-filters__field report-agent-pick">
          <label htmlFor={`${id}-team`}>{pickLabel}</label>
          <select id={`${id}-team`} value={team?.teamId ?? ''} onChange={(e) => setPicked(e.target.value)}>
            {whole && <option value="">{whole.name}</option>}
            {teams.map((s) => (
              <option key={s.teamId} value={s.teamId}>
                {s.teamName}
              </option>
            ))}
          </select>
        </div>
      )}
      {shown &&
        charts({
          ...shown,
          points: periodPoints(shown.series, granularity, t),
          words: {
            granularity: t(`reports.granularity.${granularity}`),
            of: shown.team === null ? t('reports.ofAll') : t('reports.ofTeam', { name: shown.team }),
          },
        })}
    </div>
  );
}

/**
 * Per agent, as workload and not a ranking: agents in alphabetical order (as the API sends
 * them), no podium or colour scale; one agent's load over time at a time, chart with its table.
 */
function Workload({ report, filters }: { report: AgentsReportDto; filters: ReportFilters }) {
  const { t } = useTranslation();
  const id = useId();
  const [picked, setPicked] = useState('');
  const agent = report.agents.find((a) => a.agentId === picked) ?? report.agents[0];
  const load = report.series.filter((r) => r.agentId === agent?.agentId);
  return (
    <section className="board__section" aria-labelledby={`${id}-agents`} data-testid="section-agents">
      <h2 id={`${id}-agents`} className="board__heading">
        {t('reports.agents')}
      </h2>
      <p>{t('reports.agentsHelp')}</p>
      {report.agents.length === 0 ? (
        <p>{t('reports.noAgents')}</p>
      ) : (
        <>
          <table className="report-table" data-testid="table-agents">
            <caption>{t('reports.agentsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reports.agent')}</th>
                <th scope="col">{t('reports.handled')}</th>
                <th scope="col">{t('reports.firstResponses')}</th>
                <th scope="col">{t('reports.firstResponseMedian')}</th>
                <th scope="col">{t('reports.medianOpening')}</th>
              </tr>
            </thead>
            <tbody>
              {report.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row">{a.agentName}</th>
                  <td>{NUMBER.format(a.handled)}</td>
                  <td>{NUMBER.format(a.firstResponses)}</td>
                  <td>{formatMinutes(a.firstResponseMedianMinutes)}</td>
                  <td>{formatMinutes(a.firstResponseMedianOpeningMinutes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="report-filters__field report-agent-pick">
            <label htmlFor={`${id}-agent`}>{t('reports.agentPick')}</label>
            <select id={`${id}-agent`} value={agent!.agentId} onChange={(e) => setPicked(e.target.value)}>
              {report.agents.map((a) => (
                <option key={a.agentId} value={a.agentId}>
                  {a.agentName}
                </option>
              ))}
            </select>
          </div>
          <BarChart
            testId="chart-agent-load"
            title={t('reports.agentLoad', {
              name: agent!.agentName,
              granularity: t(`reports.granularity.${report.granularity}`),
            })}
            labelHeader={t('reports.periodColumn')}
            points={periodPoints(load, report.granularity, t)}
            series={[{ name: t('reports.handled'), values: load.map((r) => r.handled) }]}
          />
        </>
      )}
      <ExportButtons
        kind="agents"
        filters={filters}
        tables={[
          ['agents', t('reports.agent')],
          ['load', t('reports.loadTable')],
        ]}
      />
    </section>
  );
}

/** The yearly and quarterly Services Publics+ indicators (no personal data, small counts withheld). */
function OpenData({ year }: { year: number }) {
  const { t } = useTranslation();
  const id = useId();
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const get = async (format: 'csv' | 'json', quarter?: number) => {
    setError(null);
    try {
      await downloadFromApi(reportsApi.indicatorsPath(year, format, quarter), `indicateurs-${year}.${format}`);
      announce(t('reports.downloaded'));
    } catch (e) {
      setError(apiErrorText(t, e));
    }
  };
  return (
    <section className="board__section" aria-labelledby={`${id}-open`}>
      <h2 id={`${id}-open`} className="board__heading">
        {t('reports.openData')}
      </h2>
      <p>{t('reports.openDataHelp', { year })}</p>
      <div className="report-exports" role="group" aria-label={t('reports.openData')}>
        <button type="button" className="button" onClick={() => void get('csv')}>
          {t('reports.indicatorsCsv', { year })}
        </button>
        <button type="button" className="button button--secondary" onClick={() => void get('json')}>
          {t('reports.indicatorsJson', { year })}
        </button>
        {[1, 2, 3, 4].map((q) => (
          <button key={q} type="button" className="button button--secondary" onClick={() => void get('csv', q)}>
            {t('reports.indicatorsQuarter', { n: q, year })}
          </button>
        ))}
      </div>
      {error && (
        <p role="alert" className="notice notice--warning">
          {error}
        </p>
      )}
    </section>
  );
}
