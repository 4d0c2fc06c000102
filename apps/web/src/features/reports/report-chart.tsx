import { AxisBottom, AxisLeft, type TickRendererProps } from '@visx/axis';
import { GridRows } from '@visx/grid';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, Circle, LinePath } from '@visx/shape';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface ChartDatum {
  label: string;
  /** The label read aloud and in the table (a full date, a channel name…). */
  longLabel?: string;
  value: number;
}

interface ChartProps {
  title: string;
  data: ChartDatum[];
  valueHeader: string;
  labelHeader: string;
  testId?: string;
  children?: ReactNode;
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

/** A tick label as a plain SVG `<text>` (visx's default wraps each in an `<svg>` of its own). */
function tickLabel({ x, y, dy, textAnchor, className, formattedValue }: TickRendererProps) {
  return (
    <text x={x} y={y} dy={dy} textAnchor={textAnchor} className={className}>
      {formattedValue}
    </text>
  );
}

/** The scales and axes both charts share: one band per point, counts from 0 (or below, for a negative backlog). */
function frame(data: ChartDatum[]) {
  const keys = data.map((_, i) => String(i));
  const x = scaleBand<string>({ domain: keys, range: [0, INNER_WIDTH], paddingInner: 0.3, paddingOuter: 0.15 });
  const values = data.map((d) => d.value);
  const y = scaleLinear<number>({
    domain: [Math.min(0, ...values), Math.max(1, ...values)],
    range: [INNER_HEIGHT, 0],
    nice: true,
  });
  // Counts: whole ticks only (a scale up to 1 has 0 and 1, not 0.2, 0.4…).
  const yTicks = y.ticks(4).filter((v) => Number.isInteger(v));
  const step = x.step();
  // A label longer than its slot is cut with an ellipsis (the whole name is in the point's title and the table).
  const every = Math.max(1, Math.ceil(data.length / MAX_LABELS));
  const room = Math.max(2, Math.floor((step * every) / CHAR_WIDTH));
  const fit = (label: string) => (label.length <= room ? label : `${label.slice(0, room - 1)}…`);
  const axes = (
    <>
      <GridRows scale={y} width={INNER_WIDTH} tickValues={yTicks} className="report-chart__grid" />
      <AxisLeft
        scale={y}
        tickValues={yTicks}
        tickFormat={(v) => NUMBER.format(Number(v))}
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
        tickFormat={(k) => fit(data[Number(k)]!.label)}
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

/**
 * A chart as a figure: its caption names the picture, which says where its data are; the data
 * follow as a table (RGAA 1.3 / 4.x: every chart has a text alternative holding the same data)
 * in a native disclosure, opened by keyboard. The picture is drawn with visx in SVG.
 */
function ChartFigure({
  title,
  data,
  valueHeader,
  labelHeader,
  testId,
  children,
  hint,
  empty,
  draw,
}: ChartProps & { hint: string; empty: boolean; draw: () => ReactNode }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <figure className="report-chart" data-testid={testId}>
      <figcaption id={`${id}-caption`} className="report-chart__caption">
        {title}
      </figcaption>
      {empty ? (
        <p className="report-chart__empty">{t('reports.noData')}</p>
      ) : (
        <svg
          role="img"
          aria-labelledby={`${id}-caption ${id}-hint`}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          className="report-chart__svg"
        >
          <desc id={`${id}-hint`}>{hint}</desc>
          <Group left={MARGIN.left} top={MARGIN.top}>
            {draw()}
          </Group>
        </svg>
      )}
      <details className="report-chart__data">
        <summary>{t('reports.showTable', { title })}</summary>
        <table className="report-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{labelHeader}</th>
              <th scope="col">{valueHeader}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={`${d.label}-${i}`}>
                <th scope="row">{d.longLabel ?? d.label}</th>
                <td>{NUMBER.format(d.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {children}
    </figure>
  );
}

/** Counts per period or per kind (received, handled, scores): bars. */
export function BarChart(props: ChartProps) {
  const { t } = useTranslation();
  const { data } = props;
  return (
    <ChartFigure
      {...props}
      hint={t('reports.chartHint')}
      empty={data.length === 0 || data.every((d) => d.value === 0)}
      draw={() => {
        const { x, y, axes } = frame(data);
        const width = Math.max(1, Math.min(MAX_BAR, x.bandwidth()));
        return (
          <>
            {axes}
            {data.map((d, i) => (
              <Bar
                key={`${d.label}-${i}`}
                x={x(String(i))! + (x.bandwidth() - width) / 2}
                y={y(Math.max(0, d.value))}
                width={width}
                height={Math.abs(y(d.value) - y(0))}
                className="report-chart__bar"
              >
                <title>{`${d.longLabel ?? d.label} : ${NUMBER.format(d.value)}`}</title>
              </Bar>
            ))}
          </>
        );
      }}
    />
  );
}

/** A level over time (files in progress at the end of each period): a line through the periods, a dot on each. */
export function LineChart(props: ChartProps) {
  const { t } = useTranslation();
  const { data } = props;
  return (
    <ChartFigure
      {...props}
      hint={t('reports.chartHintLine')}
      empty={data.length === 0}
      draw={() => {
        const { x, y, axes } = frame(data);
        const cx = (i: number) => x(String(i))! + x.bandwidth() / 2;
        return (
          <>
            {axes}
            <LinePath data={data} x={(_, i) => cx(i)} y={(d) => y(d.value)} className="report-chart__line" />
            {data.map((d, i) => (
              <Circle key={`${d.label}-${i}`} cx={cx(i)} cy={y(d.value)} r={3} className="report-chart__dot">
                <title>{`${d.longLabel ?? d.label} : ${NUMBER.format(d.value)}`}</title>
              </Circle>
            ))}
          </>
        );
      }}
    />
  );
}
