/**
 * Due dates of a request, pure (the caller passes every instant; no clock is read here).
 *
 * - The legal decision date (CRPA L231-1 / L231-4): from the request type's regime and deadline,
 *   counted on the civil calendar of metropolitan France (Europe/Paris). Months run "de quantième à
 *   quantième" (the same day number N months later, else the month's last day); days run from the
 *   day after receipt, calendar or working days (weekends and public holidays skipped).
 * - L114-5: while the citizen's missing documents are awaited the clock does not run; it starts
 *   afresh, for the whole deadline, on the day they arrive.
 * - The service's own response target (Services Publics+ engagement 5), counted in its opening
 *   hours; time spent waiting for the citizen's documents does not count. Snoozing a conversation
 *   is the agent's own reminder: it is not an input here and never moves a due date.
 */
import type { ChannelKind } from './enums';
import {
  addCalendarDays,
  addMonths,
  addWorkingDays,
  dayOfWeek,
  isClosureDay,
  isFrenchPublicHoliday,
  nextWorkingDay,
  nonWorkingDay,
  type CivilDate,
  type HolidayOptions,
  type NonWorkingDay,
} from './french-holidays';

export const DECISION_REGIMES = ['acceptance', 'rejection', 'none'] as const;
/** What the administration's silence means: acceptance (L231-1), rejection (L231-4), or no implicit decision. */
export type DecisionRegime = (typeof DECISION_REGIMES)[number];

export const DEADLINE_UNITS = ['months', 'calendar_days', 'working_days'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

export interface DeadlineSpec {
  amount: number;
  unit: DeadlineUnit;
}

export const LEGAL_TIME_ZONE = 'Europe/Paris';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `timeZone` at `instant`. */
export function wallClock(
  instant: Date,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** Minutes to add to UTC to read the wall clock of `timeZone` at `instant`. */
function offsetMinutes(instant: number, timeZone: string): number {
  const w = wallClock(new Date(instant), timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60000);
}

/** The civil date an instant falls on in `timeZone` (Europe/Paris by default). */
export function civilDateAt(instant: Date, timeZone = LEGAL_TIME_ZONE): CivilDate {
  const w = wallClock(instant, timeZone);
  return `${String(w.y).padStart(4, '0')}-${String(w.mo).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

/** The wall-clock date and time of an instant in `timeZone` (Europe/Paris by default): `2026-11-30 22:05:03`. */
export function civilDateTimeAt(instant: Date, timeZone = LEGAL_TIME_ZONE): string {
  const w = wallClock(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${civilDateAt(instant, timeZone)} ${two(w.h)}:${two(w.mi)}:${two(w.s)}`;
}

/**
 * The instant of a wall-clock time (`minutes` after midnight) on a civil date in `timeZone`. In the
 * spring-forward gap the time is read with the offset before the change (02:30 → 03:30 CEST).
 */
export function instantAt(date: CivilDate, minutes: number, timeZone = LEGAL_TIME_ZONE): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, mo - 1, d, 0, minutes);
  const first = guess - offsetMinutes(guess, timeZone) * 60000;
  const second = guess - offsetMinutes(first, timeZone) * 60000;
  return new Date(offsetMinutes(second, timeZone) === offsetMinutes(first, timeZone) ? second : first);
}

/** The last millisecond of a civil date in `timeZone`: a deadline "expires at midnight" of its last day. */
export function endOfCivilDay(date: CivilDate, timeZone = LEGAL_TIME_ZONE): Date {
  return new Date(instantAt(addCalendarDays(date, 1), 0, timeZone).getTime() - 1);
}

export interface LegalDateOptions {
  holidays?: HolidayOptions;
  /**
   * Move a last day that is a Saturday, Sunday or public holiday to the next working day (CPC 642,
   * the rule for time limits given to a party). Off by default for the decision date: L231-1 fixes
   * the implicit decision on the same day number, and the administration must not show a later
   * date than the one a court could hold against it.
   */
  prorogation?: boolean;
}

/** The last day of a deadline starting on `start` (the day of receipt, not counted itself). */
export function legalDeadlineDate(start: CivilDate, spec: DeadlineSpec, options: LegalDateOptions = {}): CivilDate {
  if (!Number.isInteger(spec.amount) || spec.amount < 1) throw new RangeError(`deadline amount must be a positive integer`);
  let end: CivilDate;
  switch (spec.unit) {
    case 'months':
      end = addMonths(start, spec.amount);
      break;
    case 'calendar_days':
      end = addCalendarDays(start, spec.amount);
      break;
    case 'working_days':
      end = addWorkingDays(start, spec.amount, options.holidays);
      break;
  }
  return options.prorogation ? nextWorkingDay(end, options.holidays) : end;
}

/** L114-5 bookkeeping of one request: when documents were asked for, and when the last ones came. */
export interface DocumentsWait {
  requestedAt: Date | null;
  receivedAt: Date | null;
}

/** True while the citizen's missing documents are awaited (asked for, not arrived since). */
export function awaitingDocuments(wait: DocumentsWait | null | undefined): boolean {
  return !!wait?.requestedAt && (!wait.receivedAt || wait.receivedAt < wait.requestedAt);
}

export interface DecisionDue {
  /** The day the implicit decision arises (or the decision is due, for types without one). */
  date: CivilDate;
  /** The end of that day in Europe/Paris: after it, the file is overdue. */
  at: Date;
  /**
   * Why the date is a day the town is closed, or null: a Saturday or Sunday, a public holiday or one
   * of the organization's closing days (shown to agents and citizens beside it: decide before). The
   * date itself is not moved: it is the legal one.
   */
  nonWorkingDay: NonWorkingDay | null;
}

/**
 * The legal decision date of a request received at `receivedAt`, or null when the type sets no
 * deadline or while the clock is stopped waiting for documents (L114-5). When the documents came,
 * the whole deadline runs again from the day they arrived.
 */
export function decisionDue(
  v: { receivedAt: Date; deadline: DeadlineSpec | null; documents?: DocumentsWait | null },
  options: LegalDateOptions = {},
): DecisionDue | null {
  if (!v.deadline || awaitingDocuments(v.documents)) return null;
  const restart = v.documents?.requestedAt && v.documents.receivedAt ? v.documents.receivedAt : null;
  const start = civilDateAt(restart && restart > v.receivedAt ? restart : v.receivedAt);
  const date = legalDeadlineDate(start, v.deadline, options);
  return { date, at: endOfCivilDay(date), nonWorkingDay: nonWorkingDay(date, options.holidays) };
}

// ---------------------------------------------------------------------------------------------
// The service's response target, in opening hours.

/** "HH:MM" wall-clock times in Europe/Paris, per weekday (0 = Sunday … 6 = Saturday). */
export type ServiceOpeningHours = Partial<Record<0 | 1 | 2 | 3 | 4 | 5 | 6, [string, string][]>>;

/** A town hall's usual opening: Monday to Friday, 8:30–12:00 and 13:30–17:30. */
export const DEFAULT_OPENING_HOURS: ServiceOpeningHours = {
  1: [
    ['08:30', '12:00'],
    ['13:30', '17:30'],
  ],
  2: [
    ['08:30', '12:00'],
    ['13:30', '17:30'],
  ],
  3: [
    ['08:30', '12:00'],
    ['13:30', '17:30'],
  ],
  4: [
    ['08:30', '12:00'],
    ['13:30', '17:30'],
  ],
  5: [
    ['08:30', '12:00'],
    ['13:30', '17:30'],
  ],
};

export const RESPONSE_TARGET_UNITS = ['opening_days', 'opening_hours'] as const;
export type ResponseTargetUnit = (typeof RESPONSE_TARGET_UNITS)[number];

export interface ResponseTarget {
  amount: number;
  unit: ResponseTargetUnit;
}

/**
 * Services Publics+ engagement 5 as defaults per channel: e-mails and online forms within a week
 * (5 opening days); text messages within 2 opening days; a call to return within 1; letters within two
 * weeks (10 opening days). A service may override any of them.
 */
export const DEFAULT_RESPONSE_TARGETS: Record<ChannelKind, ResponseTarget> = {
  email: { amount: 5, unit: 'opening_days' },
  webform: { amount: 5, unit: 'opening_days' },
  sms: { amount: 2, unit: 'opening_days' },
  whatsapp: { amount: 2, unit: 'opening_days' },
  messenger: { amount: 2, unit: 'opening_days' },
  instagram: { amount: 2, unit: 'opening_days' },
  voice: { amount: 1, unit: 'opening_days' },
  pbx: { amount: 1, unit: 'opening_days' },
  // Letters within two weeks, counted from the day the letter was received.
  letter: { amount: 10, unit: 'opening_days' },
};

function minutesOf(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

interface Interval {
  from: number;
  to: number;
}

/** The opening intervals of one civil day (none on public holidays and the organization's closing days). */
function openingIntervals(date: CivilDate, hours: ServiceOpeningHours, holidays?: HolidayOptions): Interval[] {
  const slots = hours[dayOfWeek(date) as 0 | 1 | 2 | 3 | 4 | 5 | 6] ?? [];
  if (!slots.length || isFrenchPublicHoliday(date, holidays) || isClosureDay(date, holidays)) return [];
  return slots
    .map(([a, b]) => ({ from: instantAt(date, minutesOf(a)).getTime(), to: instantAt(date, minutesOf(b)).getTime() }))
    .filter((i) => i.to > i.from)
    .sort((x, y) => x.from - y.from);
}

function isOpenDay(date: CivilDate, hours: ServiceOpeningHours, holidays?: HolidayOptions): boolean {
  return openingIntervals(date, hours, holidays).length > 0;
}

/** Days looked at before giving up: a schedule with no opening at all has no due date. */
const HORIZON_DAYS = 3 * 366;

function subtract(i: Interval, pauses: Interval[]): Interval[] {
  let out = [i];
  for (const p of pauses) {
    out = out.flatMap((x) =>
      p.to <= x.from || p.from >= x.to
        ? [x]
        : [...(p.from > x.from ? [{ from: x.from, to: p.from }] : []), ...(p.to < x.to ? [{ from: p.to, to: x.to }] : [])],
    );
  }
  return out;
}

/** Walks the opening hours from `start`, spending `budget` ms of open time outside `pauses`. */
function spendOpeningTime(
  start: Date,
  budget: number,
  hours: ServiceOpeningHours,
  pauses: Interval[],
  holidays?: HolidayOptions,
): Date {
  let left = budget;
  let day = civilDateAt(start);
  for (let n = 0; n < HORIZON_DAYS; n++, day = addCalendarDays(day, 1)) {
    for (const slot of openingIntervals(day, hours, holidays)) {
      for (const free of subtract({ from: Math.max(slot.from, start.getTime()), to: slot.to }, pauses)) {
        if (free.to <= free.from) continue;
        if (free.to - free.from >= left) return new Date(free.from + left);
        left -= free.to - free.from;
      }
    }
  }
  throw new RangeError('the opening hours never open');
}

function openingTimeBetween(a: Date, b: Date, hours: ServiceOpeningHours, holidays?: HolidayOptions): number {
  let total = 0;
  for (let day = civilDateAt(a); day <= civilDateAt(b); day = addCalendarDays(day, 1)) {
    for (const slot of openingIntervals(day, hours, holidays)) {
      total += Math.max(0, Math.min(slot.to, b.getTime()) - Math.max(slot.from, a.getTime()));
    }
  }
  return total;
}

/**
 * Opening time between two instants, in minutes (rounded up), by the service's opening hours, the
 * French public holidays and the organization's closing days: how long a citizen waited while the service was open (a message on
 * Friday evening answered on Monday at 9:00 waited 30 minutes of a 8:30 opening).
 */
export function openingMinutesBetween(
  from: Date,
  to: Date,
  hours: ServiceOpeningHours = DEFAULT_OPENING_HOURS,
  holidays?: HolidayOptions,
): number {
  if (to <= from) return 0;
  // Each day's opening intervals cost a dozen time-zone conversions: kept per schedule and day
  // (reports count files of the same weeks over and over), at most OPENING_CACHE_MAX days. A
  // closing day is looked up first: the cached days do not depend on the closures.
  const schedule = `${holidays?.alsaceMoselle ? 1 : 0}|${JSON.stringify(hours)}`;
  let total = 0;
  const last = civilDateAt(to);
  for (let day = civilDateAt(from); day <= last; day = addCalendarDays(day, 1)) {
    if (isClosureDay(day, holidays)) continue;
    const key = `${day}|${schedule}`;
    let slots = openingCache.get(key);
    if (!slots) {
      if (openingCache.size >= OPENING_CACHE_MAX) openingCache.clear();
      slots = openingIntervals(day, hours, holidays);
      openingCache.set(key, slots);
    }
    for (const slot of slots) total += Math.max(0, Math.min(slot.to, to.getTime()) - Math.max(slot.from, from.getTime()));
  }
  return Math.ceil(total / 60_000);
}

const OPENING_CACHE_MAX = 20_000;
const openingCache = new Map<string, Interval[]>();

export interface ResponseClock {
  receivedAt: Date;
  target: ResponseTarget;
  hours?: ServiceOpeningHours;
  /** Spans spent waiting for the citizen's documents (`to` null: still waiting). */
  pauses?: { from: Date; to: Date | null }[];
}

/**
 * When the service should have answered: `amount` opening days after the day of receipt (at that
 * day's closing time), or `amount` hours of opening time after receipt. Null while paused.
 */
export function responseDue(v: ResponseClock, options: { holidays?: HolidayOptions } = {}): Date | null {
  const hours = v.hours ?? DEFAULT_OPENING_HOURS;
  if (!Number.isInteger(v.target.amount) || v.target.amount < 1) throw new RangeError('target amount must be a positive integer');
  if (v.pauses?.some((p) => p.to === null)) return null;
  const pauses = (v.pauses ?? []).map((p) => ({ from: p.from.getTime(), to: p.to!.getTime() }));
  let budget: number;
  if (v.target.unit === 'opening_hours') {
    budget = v.target.amount * 3_600_000;
  } else {
    let day = civilDateAt(v.receivedAt);
    for (let left = v.target.amount, n = 0; left > 0; n++) {
      if (n > HORIZON_DAYS) throw new RangeError('the opening hours never open');
      day = addCalendarDays(day, 1);
      if (isOpenDay(day, hours, options.holidays)) left--;
    }
    const slots = openingIntervals(day, hours, options.holidays);
    const close = new Date(slots[slots.length - 1]!.to);
    if (!pauses.length) return close;
    budget = openingTimeBetween(v.receivedAt, close, hours, options.holidays);
  }
  return spendOpeningTime(v.receivedAt, budget, hours, pauses, options.holidays);
}

const FRENCH_MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

/** « 30 janvier 2027 », « 1er mars 2027 »: the long form the acknowledgements write dates in. */
export function formatFrenchLongDate(date: CivilDate): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d === 1 ? '1er' : d} ${FRENCH_MONTHS[m - 1]} ${y}`;
}
