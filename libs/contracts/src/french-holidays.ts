/**
 * French public holidays (jours fériés, Code du travail L3133-1) and civil-date arithmetic.
 * Pure: no clock, no time zone. A civil date is an ISO `YYYY-MM-DD` string.
 *
 * Used by the deadline rules (working days) and by the organization settings (the holidays shown to admins). The only
 * holiday module: the API and the web app both read it from @guichet/contracts.
 */

export type CivilDate = string;

export interface FrenchHoliday {
  date: CivilDate;
  name: string;
}

/** An exceptional closing of the organization, first and last day included (e.g. a « pont »). */
export interface Closure {
  from: CivilDate;
  to: CivilDate;
}

export interface HolidayOptions {
  /** Bas-Rhin, Haut-Rhin and Moselle also keep Good Friday and Saint Stephen's day (26 December). */
  alsaceMoselle?: boolean;
  /**
   * The organization's exceptional closing days (set by its admin). They are not public holidays:
   * the legal working days (isWorkingDay, addWorkingDays: a CRPA deadline) still count them, as a
   * court would; the service's opening days and hours (isOpenWorkingDay, the response target, the
   * reports' times in opening hours) skip them.
   */
  closures?: readonly Closure[];
}

const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function toUtc(date: CivilDate): Date {
  const m = CIVIL_DATE.exec(date);
  if (!m) throw new RangeError(`not a civil date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== date) throw new RangeError(`not a civil date: ${date}`);
  return d;
}

function fromUtc(d: Date): CivilDate {
  return d.toISOString().slice(0, 10);
}

export function civilDate(year: number, month: number, day: number): CivilDate {
  return fromUtc(new Date(Date.UTC(year, month - 1, day)));
}

export function addCalendarDays(date: CivilDate, days: number): CivilDate {
  const d = toUtc(date);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtc(d);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: CivilDate): number {
  return toUtc(date).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The same day number `months` months later ("de quantième à quantième"); when that month has no
 * such day (31 January + 1 month, 29 February + 12 months), its last day (CPC art. 641).
 */
export function addMonths(date: CivilDate, months: number): CivilDate {
  const d = toUtc(date);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return civilDate(year, month, Math.min(d.getUTCDate(), daysInMonth(year, month)));
}

/** Easter Sunday of the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): CivilDate {
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
  return civilDate(year, month, day);
}

const holidayCache = new Map<string, FrenchHoliday[]>();

/** The year's public holidays in date order: the eleven national ones, plus two in Alsace-Moselle. */
export function frenchPublicHolidays(year: number, options: HolidayOptions = {}): FrenchHoliday[] {
  const key = `${year}:${options.alsaceMoselle ? 1 : 0}`;
  const cached = holidayCache.get(key);
  if (cached) return cached;
  const easter = easterSunday(year);
  const list: FrenchHoliday[] = [
    { date: civilDate(year, 1, 1), name: 'Jour de l’an' },
    { date: addCalendarDays(easter, 1), name: 'Lundi de Pâques' },
    { date: civilDate(year, 5, 1), name: 'Fête du travail' },
    { date: civilDate(year, 5, 8), name: 'Victoire 1945' },
    { date: addCalendarDays(easter, 39), name: 'Ascension' },
    { date: addCalendarDays(easter, 50), name: 'Lundi de Pentecôte' },
    { date: civilDate(year, 7, 14), name: 'Fête nationale' },
    { date: civilDate(year, 8, 15), name: 'Assomption' },
    { date: civilDate(year, 11, 1), name: 'Toussaint' },
    { date: civilDate(year, 11, 11), name: 'Armistice 1918' },
    { date: civilDate(year, 12, 25), name: 'Noël' },
  ];
  if (options.alsaceMoselle) {
    list.push({ date: addCalendarDays(easter, -2), name: 'Vendredi saint' });
    list.push({ date: civilDate(year, 12, 26), name: 'Saint-Étienne' });
  }
  list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  holidayCache.set(key, list);
  return list;
}

export function isFrenchPublicHoliday(date: CivilDate, options: HolidayOptions = {}): boolean {
  return frenchPublicHolidays(Number(date.slice(0, 4)), options).some((h) => h.date === date);
}

/** A working day (jour ouvré): Monday to Friday, not a public holiday. */
export function isWorkingDay(date: CivilDate, options: HolidayOptions = {}): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !isFrenchPublicHoliday(date, options);
}

/** One of the organization's exceptional closing days. */
export function isClosureDay(date: CivilDate, options: HolidayOptions = {}): boolean {
  return !!options.closures?.some((c) => c.from <= date && date <= c.to);
}

/** A day the services are open at all: a working day that is not one of the organization's closing days. */
export function isOpenWorkingDay(date: CivilDate, options: HolidayOptions = {}): boolean {
  return isWorkingDay(date, options) && !isClosureDay(date, options);
}

/**
 * Why the services are closed on a day: a weekend, a public holiday, or one of the organization's
 * closing days (in that order when several apply).
 */
export const NON_WORKING_DAYS = ['weekend', 'public_holiday', 'closure'] as const;
export type NonWorkingDay = (typeof NON_WORKING_DAYS)[number];

/** Why `date` is not an open working day, or null when the services open that day (isOpenWorkingDay). */
export function nonWorkingDay(date: CivilDate, options: HolidayOptions = {}): NonWorkingDay | null {
  if (isFrenchPublicHoliday(date, options)) return 'public_holiday';
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return 'weekend';
  return isClosureDay(date, options) ? 'closure' : null;
}

/** The `n`-th working day after `date` (`date` itself not counted); n = 0 gives `date`. */
export function addWorkingDays(date: CivilDate, n: number, options: HolidayOptions = {}): CivilDate {
  let d = date;
  for (let left = n; left > 0;) {
    d = addCalendarDays(d, 1);
    if (isWorkingDay(d, options)) left--;
  }
  return d;
}

/** `date` itself when it is a working day, else the first working day after it. */
export function nextWorkingDay(date: CivilDate, options: HolidayOptions = {}): CivilDate {
  let d = date;
  while (!isWorkingDay(d, options)) d = addCalendarDays(d, 1);
  return d;
}
