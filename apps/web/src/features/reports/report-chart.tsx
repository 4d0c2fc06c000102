import { AxisBottom, AxisLeft, type TickRendererProps } from '@visx/axis';
import { GridRows } from '@visx/grid';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, Circle, Line, LinePath } from '@visx/shape';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A point along the axis (a period, a channel, a score), named short under it and in full in the table. */
export interface ChartPoint {
  label: string;
  longLabel?: string;
}

/** One series over the points (null: no figure there, e.g. the share answered of a month without calls). */
export interface ChartSeries {
  name: string;
  values: Array<number | null>;
}

/** How the values read: counts, shares (0–1) as percentages, scores out of 10. */
export type ChartUnit = 'count' | 'share' | 'score';

interface ChartProps {
  title: string;
  points: ChartPoint[];
  /** Side by side as bars, or one line each; named in a legend when there are several. */
  series: ChartSeries[];
  labelHeader: string;
  unit?: ChartUnit;
  /** A level to reach (the 85 % of calls answered), drawn as a dashed rule and named in the legend. */
  target?: { value: number; name: string };
  testId?: string;
  /** The data as a table when it says more than the series drawn (default: one column per series). */
  table?: ReactNode;
  children?: ReactNode;
}

/** A column of a data table: its header and how a row's cell reads. */
export interface DataColumn<T> {
  header: string;
  cell: (row: T) => string;
}

const WIDTH = 640;
const HEIGHT = 200;
const MARGIN = { top: 8, right: 8, bottom: 28, left: 48 };
const INNER_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const INNER_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
/** A bar is never wider than this: one or two bars stay bars, not a band across the chart. */
const MAX_BAR = 56;
/** The width of a character of the tick labels, in viewBox units (11 px text). */
const CHAR_WIDTH = 7;
/** At most this many labels under the axis, whatever the number of points. */
const MAX_LABELS = 12;
const NUMBER = new Intl.NumberFormat('fr-FR');
const PERCENT = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });

/** A value as the table and the points' titles say it. */
export function formatValue(value: number | null, unit: ChartUnit = 'count'): string {
  if (value === null) return '—';
  return unit === 'share' ? PERCENT.format(value) : NUMBER.format(value);
}

/** The value axis of each unit: counts from 0 (or below, for a negative backlog), shares 0–100 %, scores 0–10. */
function valueScale(values: number[], unit: ChartUnit) {
  if (unit === 'share') return { domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1] };
  if (unit === 'score') return { domain: [0, 10], ticks: [0, 2, 4, 6, 8, 10] };
  const y = scaleLinear<number>({ domain: [Math.min(0, ...values), Math.max(1, ...values)], nice: true });
  // Counts: whole ticks only (a scale up to 1 has 0 and 1, not 0.2, 0.4…).
  return { domain: y.domain(), ticks: y.ticks(4).filter((v) => Number.isInteger(v)) };
}

/** A tick label as a plain SVG `<text>` (visx's default wraps each in an `<svg>` of its own). */
function tickLabel({ x, y, dy, textAnchor, className, formattedValue }: TickRendererProps) {
  return (
    <text x={x} y={y} dy={dy} textAnchor={textAnchor} className={className}>
      {formattedValue}
    </text>
  );
}

/** The scales and axes every chart shares: one band per point, the value axis of its unit. */
function frame(points: ChartPoint[], series: ChartSeries[], unit: ChartUnit) {
  const keys = points.map((_, i) => String(i));
  const x = scaleBand<string>({ domain: keys, range: [0, INNER_WIDTH], paddingInner: 0.3, paddingOuter: 0.15 });
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const { domain, ticks } = valueScale(values, unit);
  const y = scaleLinear<number>({ domain, range: [INNER_HEIGHT, 0] });
  const step = x.step();
  // A label longer than its slot is cut with an ellipsis (the whole name is in the point's title and the table).
  const every = Math.max(1, Math.ceil(points.length / MAX_LABELS));
  const room = Math.max(2, Math.floor((step * every) / CHAR_WIDTH));
  const fit = (label: string) => (label.length <= room ? label : `${label.slice(0, room - 1)}…`);
  const axes = (
    <>
      <GridRows scale={y} width={INNER_WIDTH} tickValues={ticks} className="report-chart__grid" />
      <AxisLeft
        scale={y}
        tickValues={ticks}
        tickFormat={(v) => formatValue(Number(v), unit)}
        hideAxisLine
        hideTicks
        tickLength={6}
        tickLabelProps={() => ({ className: 'report-chart__tick', textAnchor: 'end', dy: '0.33em' })}
        tickComponent={tickLabel}
      />
      <AxisBottom
        top={INNER_HEIGHT}
        scale={x}
        tickValues={keys.filter((_, i) => i % every === 0)}
        tickFormat={(k) => fit(points[Number(k)]!.label)}
        hideTicks
        axisClassName="report-chart__x-axis"
        axisLineClassName="report-chart__axis-line"
        tickLength={8}
        tickLabelProps={() => ({ className: 'report-chart__tick report-chart__x-label', textAnchor: 'middle' })}
        tickComponent={tickLabel}
      />
    </>
  );
  return { x, y, axes };
}

/** A table of figures: one row per item, its name as the row header, one column per figure. */
export function DataTable<T>({
  caption,
  hideCaption,
  nameHeader,
  rows,
  name,
  columns,
  testId,
}: {
  caption: string;
  /** Inside a chart's disclosure, whose summary already names it. */
  hideCaption?: boolean;
  nameHeader: string;
  rows: T[];
  name: (row: T) => string;
  columns: Array<DataColumn<T>>;
  testId?: string;
}) {
  return (
    <table className="report-table" data-testid={testId}>
      <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{nameHeader}</th>
          {columns.map((c, i) => (
            <th key={i} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            <th scope="row">{name(row)}</th>
            {columns.map((c, j) => (
              <td key={j}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A chart as a figure: its caption names the picture, which says where its data are; the data
 * follow as a table (RGAA 1.3 / 4.x: every chart has a text alternative holding the same data)
 * in a native disclosure, opened by keyboard. The picture is drawn with visx in SVG; several
 * series and a target are named in a legend (the second series hatched: not told by colour alone).
 */
function ChartFigure({
  title,
  points,
  series,
  labelHeader,
  unit = 'count',
  target,
  testId,
  table,
  children,
  kind,
  empty,
  draw,
}: ChartProps & {
  kind: 'bar' | 'line';
  empty: boolean;
  draw: (chart: ReturnType<typeof frame> & { hatch: string }) => ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  // The pattern is referenced from CSS-like `url(#…)`: a plain id.
  const hatch = `${id.replace(/[^\w-]/g, '')}-hatch`;
  const chart = empty ? null : frame(points, series, unit);
  return (
    <figure className="report-chart" data-testid={testId}>
      <figcaption id={`${id}-caption`} className="report-chart__caption">
        {title}
      </figcaption>
      {!chart ? (
        <p className="report-chart__empty">{t('reports.noData')}</p>
      ) : (
        <>
          {(series.length > 1 || target) && (
            <ul className="report-chart__legend">
              {series.map((s, i) => (
                <li key={i}>
                  <span aria-hidden="true" className={`report-chart__swatch report-chart__swatch--${kind}-${i}`} />
                  {s.name}
                </li>
              ))}
              {target && (
                <li>
                  <span aria-hidden="true" className="report-chart__swatch report-chart__swatch--target" />
                  {target.name}
                </li>
              )}
            </ul>
          )}
          <svg
            role="img"
            aria-labelledby={`${id}-caption ${id}-hint`}
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            className="report-chart__svg"
          >
            <desc id={`${id}-hint`}>{kind === 'bar' ? t('reports.chartHint') : t('reports.chartHintLine')}</desc>
            {series.length > 1 && (
              <defs>
                <pattern id={hatch} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                  <rect width="6" height="6" className="report-chart__hatch-ground" />
                  <line x1="0" y1="0" x2="0" y2="6" className="report-chart__hatch-line" />
                </pattern>
              </defs>
            )}
            <Group left={MARGIN.left} top={MARGIN.top}>
              {draw({ ...chart, hatch })}
              {target && (
                <Line
                  from={{ x: 0, y: chart.y(target.value) }}
                  to={{ x: INNER_WIDTH, y: chart.y(target.value) }}
                  className="report-chart__target"
                />
              )}
            </Group>
          </svg>
        </>
      )}
      <details className="report-chart__data">
        <summary>{t('reports.showTable', { title })}</summary>
        {table ?? (
          <DataTable
            caption={title}
            hideCaption
            nameHeader={labelHeader}
            rows={points.map((p, i) => ({ ...p, i }))}
            name={(p) => p.longLabel ?? p.label}
            columns={series.map((s) => ({
              header: s.name,
              cell: (p: ChartPoint & { i: number }) => formatValue(s.values[p.i] ?? null, unit),
            }))}
          />
        )}
      </details>
      {children}
    </figure>
  );
}

/** A point's title: what it is, in which series when there are several, and its value. */
const pointTitle = (p: ChartPoint, s: ChartSeries, many: boolean, value: number, unit: ChartUnit = 'count') =>
  `${p.longLabel ?? p.label}${many ? `, ${s.name}` : ''} : ${formatValue(value, unit)}`;

/** Counts per period or per kind (received, handled, scores): bars, side by side when there are several series. */
export function BarChart(props: ChartProps) {
  const { points, series, unit } = props;
  return (
    <ChartFigure
      {...props}
      kind="bar"
      empty={points.length === 0 || series.every((s) => s.values.every((v) => !v))}
      draw={({ x, y, axes, hatch }) => {
        const slot = scaleBand<number>({ domain: series.map((_, i) => i), range: [0, x.bandwidth()], paddingInner: 0.1 });
        const width = Math.max(1, Math.min(MAX_BAR, slot.bandwidth()));
        const offset = (x.bandwidth() - (slot.step() * (series.length - 1) + width)) / 2;
        return (
          <>
            {axes}
            {series.map((s, k) =>
              s.values.map((v, i) =>
                v === null ? null : (
                  <Bar
                    key={`${k}-${i}`}
                    x={x(String(i))! + Math.max(0, offset) + slot(k)!}
                    y={y(Math.max(0, v))}
                    width={width}
                    height={Math.abs(y(v) - y(0))}
                    className={`report-chart__bar report-chart__bar--${k}`}
                    style={k === 1 ? { fill: `url(#${hatch})` } : undefined}
                  >
                    <title>{pointTitle(points[i]!, s, series.length > 1, v, unit)}</title>
                  </Bar>
                ),
              ),
            )}
          </>
        );
      }}
    />
  );
}

/** A level over time (files in progress, a share, a score): a line through the periods, a dot on each figure. */
export function LineChart(props: ChartProps) {
  const { points, series, unit } = props;
  return (
    <ChartFigure
      {...props}
      kind="line"
      empty={points.length === 0 || series.every((s) => s.values.every((v) => v === null))}
      draw={({ x, y, axes }) => {
        const cx = (i: number) => x(String(i))! + x.bandwidth() / 2;
        return (
          <>
            {axes}
            {series.map((s, k) => (
              <Group key={k}>
                <LinePath
                  data={s.values.map((v, i) => ({ v, i }))}
                  defined={(d) => d.v !== null}
                  x={(d) => cx(d.i)}
                  y={(d) => y(d.v ?? 0)}
                  className={`report-chart__line report-chart__line--${k}`}
                />
                {s.values.map((v, i) =>
                  v === null ? null : (
                    <Circle key={i} cx={cx(i)} cy={y(v)} r={3} className={`report-chart__dot report-chart__dot--${k}`}>
                      <title>{pointTitle(points[i]!, s, series.length > 1, v, unit)}</title>
                    </Circle>
                  ),
                )}
              </Group>
            ))}
          </>
        );
      }}
    />
  );
}
