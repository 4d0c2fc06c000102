/** The periods a report is asked for: a month, a quarter, a year, or two days chosen. */
export type PeriodKind = 'month' | 'quarter' | 'year' | 'custom';

export interface PeriodChoice {
  kind: PeriodKind;
  /** `YYYY-MM` (kind month). */
  month: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** `YYYY-MM-DD` (kind custom). */
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The first and last days (both included) of the period chosen. */
export function periodRange(p: PeriodChoice): { from: string; to: string } {
  switch (p.kind) {
    case 'month': {
      const [y, m] = p.month.split('-').map(Number) as [number, number];
      return { from: `${p.month}-01`, to: `${p.month}-${pad(lastDay(y, m))}` };
    }
    case 'quarter': {
      const first = (p.quarter - 1) * 3 + 1;
      return { from: `${p.year}-${pad(first)}-01`, to: `${p.year}-${pad(first + 2)}-${pad(lastDay(p.year, first + 2))}` };
    }
    case 'year':
      return { from: `${p.year}-01-01`, to: `${p.year}-12-31` };
    case 'custom':
      return { from: p.from, to: p.to };
  }
}

/** This month, in Paris time, and the matching quarter and year: where the page opens. */
export function currentPeriod(now: Date = new Date()): PeriodChoice {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return {
    kind: 'month',
    month: today.slice(0, 7),
    year,
    quarter: (Math.floor((month - 1) / 3) + 1) as PeriodChoice['quarter'],
    from: `${today.slice(0, 7)}-01`,
    to: today,
  };
}

/** Why a custom period cannot be asked (null: it can). The API takes at most three years. */
export function periodProblem(p: PeriodChoice): 'missing' | 'reversed' | 'tooLong' | null {
  const { from, to } = periodRange(p);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return 'missing';
  if (from > to) return 'reversed';
  if (Date.parse(to) - Date.parse(from) > 3 * 366 * 86400_000) return 'tooLong';
  return null;
}

/** A duration in minutes as a person reads it: « 45 min », « 2 h 05 », « 3 j 4 h ». */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 1440) return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)}`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.round((minutes % 1440) / 60);
  return hours ? `${days} j ${hours} h` : `${days} j`;
}

/** A share (0–1) as a French percentage: « 66,7 % ». */
export function formatShare(share: number | null, language = 'fr-FR'): string {
  if (share === null) return '—';
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}
