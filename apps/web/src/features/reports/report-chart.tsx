import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface BarDatum {
  label: string;
  /** The label read aloud and in the table (a full date, a channel name…). */
  longLabel?: string;
  value: number;
}

const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 40;
const BOTTOM = 28;
const MAX_BAR = 56;
/** The width of a character of the tick labels, in viewBox units (11 px text). */
const CHAR_WIDTH = 7;

/**
 * A bar chart drawn in SVG, with its data as a table right below it (RGAA 1.3 / 4.x: every
 * chart has a text alternative holding the same data). The picture is named by the figure's
 * caption and says where its data are; the table opens with a native disclosure, by keyboard.
 */
export function BarChart({
  title,
  data,
  valueHeader,
  labelHeader,
  testId,
  children,
}: {
  title: string;
  data: BarDatum[];
  valueHeader: string;
  labelHeader: string;
  testId?: string;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  const step = (WIDTH - LEFT) / Math.max(1, data.length);
  // A bar is never wider than MAX_BAR: one or two bars stay bars, not a band across the chart.
  const barWidth = Math.max(1, Math.min(MAX_BAR, step * 0.7));
  // A label longer than its slot is cut with an ellipsis (the whole name is in the bar's title and the table).
  const fit = (label: string) => {
    const room = Math.max(2, Math.floor(step / CHAR_WIDTH));
    return label.length <= room ? label : `${label.slice(0, room - 1)}…`;
  };
  const scale = (v: number) => ((HEIGHT - BOTTOM - 8) * v) / max;
  // At most ~12 labels under the axis, whatever the number of bars.
  const every = Math.max(1, Math.ceil(data.length / 12));
  const ticks = [0, Math.round(max / 2), max].filter((v, i, a) => a.indexOf(v) === i);
  return (
    <figure className="report-chart" data-testid={testId}>
      <figcaption id={`${id}-caption`} className="report-chart__caption">
        {title}
      </figcaption>
      {data.length === 0 || data.every((d) => d.value === 0) ? (
        <p className="report-chart__empty">{t('reports.noData')}</p>
      ) : (
        <svg
          role="img"
          aria-labelledby={`${id}-caption ${id}-hint`}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          className="report-chart__svg"
        >
          <desc id={`${id}-hint`}>{t('reports.chartHint')}</desc>
          {ticks.map((v) => (
            <g key={v}>
              <line
                x1={LEFT}
                x2={WIDTH}
                y1={HEIGHT - BOTTOM - scale(v)}
                y2={HEIGHT - BOTTOM - scale(v)}
                className="report-chart__grid"
              />
              <text x={LEFT - 6} y={HEIGHT - BOTTOM - scale(v) + 4} textAnchor="end" className="report-chart__tick">
                {v}
              </text>
            </g>
          ))}
          {data.map((d, i) => (
            <g key={`${d.label}-${i}`}>
              <rect
                x={LEFT + i * step + (step - barWidth) / 2}
                y={HEIGHT - BOTTOM - scale(d.value)}
                width={barWidth}
                height={scale(d.value)}
                className="report-chart__bar"
              >
                <title>{`${d.longLabel ?? d.label} : ${d.value}`}</title>
              </rect>
              {i % every === 0 && (
                <text x={LEFT + i * step + step / 2} y={HEIGHT - 8} textAnchor="middle" className="report-chart__tick">
                  {fit(d.label)}
                </text>
              )}
            </g>
          ))}
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
                <td>{d.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {children}
    </figure>
  );
}
