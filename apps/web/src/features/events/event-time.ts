/** The value of a `datetime-local` field for an instant (the browser's time zone), empty for none. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The instant of a `datetime-local` value (ISO 8601), null when empty. An unreadable value is sent
 * as typed: the API answers why in French.
 */
export function fromLocalInput(value: string): string | null {
  if (!value.trim()) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** « samedi 14 juin, 10:00 » (the agent's language). */
export function eventWhen(iso: string, language: string): string {
  return new Date(iso).toLocaleString(language, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Reminder schedules offered as boxes to tick (minutes before the start). */
export const REMINDER_PRESETS = [7 * 24 * 60, 48 * 60, 24 * 60, 120, 60] as const;

/** An event is over once its end (or its start, without one) is past. */
export function isPast(e: { startsAt: string; endsAt: string | null }, now = Date.now()): boolean {
  return Date.parse(e.endsAt ?? e.startsAt) < now;
}
