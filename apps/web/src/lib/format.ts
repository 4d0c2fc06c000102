import { LOCALES, TIME_ZONE, type Language } from '../i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const cache = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat>();

function dateFormat(language: Language, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d:${language}:${JSON.stringify(options)}`;
  let format = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { timeZone: TIME_ZONE, ...options });
    cache.set(key, format);
  }
  return format;
}

function relativeFormat(language: Language): Intl.RelativeTimeFormat {
  const key = `r:${language}`;
  let format = cache.get(key) as Intl.RelativeTimeFormat | undefined;
  if (!format) {
    format = new Intl.RelativeTimeFormat(LOCALES[language], { numeric: 'auto', style: 'short' });
    cache.set(key, format);
  }
  return format;
}

/** "12 mars 2026 à 14:05" — full date and time in Paris time (the citizen pages write it the same way). */
export { formatDateTime } from '@guichet/contracts';

/** "14:05" today, "12 mars" this year, "12/03/2025" before. */
export function formatShortDate(iso: string, language: Language, now: number = Date.now()): string {
  const date = new Date(iso);
  const sameDay = dateFormat(language, { dateStyle: 'short' });
  if (sameDay.format(date) === sameDay.format(now)) {
    return dateFormat(language, { timeStyle: 'short' }).format(date);
  }
  const year = dateFormat(language, { year: 'numeric' });
  if (year.format(date) === year.format(now)) {
    return dateFormat(language, { day: 'numeric', month: 'short' }).format(date);
  }
  return sameDay.format(date);
}

/** "à l'instant", "il y a 5 min", "il y a 3 h", "hier", then a short date after a week. */
export function formatRelative(iso: string, language: Language, now: number = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  const diff = then - now;
  const abs = Math.abs(diff);
  const rtf = relativeFormat(language);
  if (abs < MINUTE) return rtf.format(0, 'second');
  if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  if (abs < 7 * DAY) return rtf.format(Math.round(diff / DAY), 'day');
  return formatShortDate(iso, language, now);
}

/** "12 ko", "1,5 Mo" (French units from Intl). */
export function formatBytes(size: number, language: Language): string {
  const [unit, value] =
    size < 1024
      ? (['byte', size] as const)
      : size < 1024 * 1024
        ? (['kilobyte', size / 1024] as const)
        : (['megabyte', size / (1024 * 1024)] as const);
  return new Intl.NumberFormat(LOCALES[language], {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'megabyte' ? 1 : 0,
  }).format(value);
}

/** "5 min", "3 h", "2 j": how long something has lasted, in the largest sensible unit. */
export function formatDuration(ms: number, language: Language): string {
  const abs = Math.max(0, ms);
  const [unit, value] =
    abs < HOUR
      ? (['minute', Math.max(1, Math.round(abs / MINUTE))] as const)
      : abs < DAY
        ? (['hour', Math.round(abs / HOUR)] as const)
        : (['day', Math.round(abs / DAY)] as const);
  return new Intl.NumberFormat(LOCALES[language], { style: 'unit', unit, unitDisplay: 'short' }).format(value);
}

/**
 * A due date: "30 janv." for a legal date (it ends at midnight, Paris time), "7 déc. 17:30" for a
 * response target in opening hours.
 */
export function formatDue(iso: string, language: Language): string {
  const date = new Date(iso);
  const time = dateFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  const endOfDay = time === '23:59';
  return dateFormat(language, {
    day: 'numeric',
    month: 'short',
    ...(endOfDay ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const }),
  }).format(date);
}

/** "31 janvier 2027" — a calendar day (AAAA-MM-JJ) as it is, whatever the time zone. */
export function formatDay(day: string, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}
