/**
 * French public holidays (jours fériés, Code du travail L3133-1), computed: the fixed days and
 * the three moving with Easter (Easter Monday, Ascension, Whit Monday). Pure date arithmetic on
 * calendar days (`YYYY-MM-DD`), no time zone involved, so the API and the web app agree.
 * Alsace-Moselle's two extra days (Good Friday, 26 December) are given when asked for.
 */

export interface PublicHoliday {
  /** `YYYY-MM-DD` */
  date: string;
  name: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Easter Sunday of the Gregorian calendar (Meeus/Jones/Butcher algorithm): [month, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** `date` (`YYYY-MM-DD`) moved by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return iso(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The public holidays of `year`, in date order. */
export function frenchPublicHolidays(year: number, o: { alsaceMoselle?: boolean } = {}): PublicHoliday[] {
  const easter = iso(year, ...easterSunday(year));
  const list: PublicHoliday[] = [
    { date: iso(year, 1, 1), name: 'Jour de l’an' },
    { date: addDays(easter, 1), name: 'Lundi de Pâques' },
    { date: iso(year, 5, 1), name: 'Fête du Travail' },
    { date: iso(year, 5, 8), name: 'Victoire 1945' },
    { date: addDays(easter, 39), name: 'Ascension' },
    { date: addDays(easter, 50), name: 'Lundi de Pentecôte' },
    { date: iso(year, 7, 14), name: 'Fête nationale' },
    { date: iso(year, 8, 15), name: 'Assomption' },
    { date: iso(year, 11, 1), name: 'Toussaint' },
    { date: iso(year, 11, 11), name: 'Armistice 1918' },
    { date: iso(year, 12, 25), name: 'Noël' },
  ];
  if (o.alsaceMoselle) {
    list.push({ date: addDays(easter, -2), name: 'Vendredi saint' }, { date: iso(year, 12, 26), name: 'Saint-Étienne' });
  }
  return list.sort((a, b) => a.date.localeCompare(b.date));
}

/** The holiday falling on `date` (`YYYY-MM-DD`), if any. */
export function frenchPublicHoliday(date: string, o: { alsaceMoselle?: boolean } = {}): PublicHoliday | undefined {
  return frenchPublicHolidays(Number(date.slice(0, 4)), o).find((h) => h.date === date);
}

/** A working day: Monday to Friday, not a public holiday. */
export function isFrenchWorkingDay(date: string, o: { alsaceMoselle?: boolean } = {}): boolean {
  const w = weekday(date);
  return w !== 0 && w !== 6 && !frenchPublicHoliday(date, o);
}
