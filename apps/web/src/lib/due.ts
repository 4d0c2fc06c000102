import type { ConversationDto } from '@guichet/contracts';

const SOON_MS = 48 * 3_600_000;

/**
 * The date a file in progress is due: the earlier of its legal decision date and, until the
 * first answer, the service's response target (the server's `due_at`). Null when none applies.
 */
export function dueAt(c: Pick<ConversationDto, 'status' | 'decisionDueAt' | 'responseDueAt' | 'firstResponseAt'>): string | null {
  if (c.status === 'resolved' || c.status === 'closed') return null;
  const dates = [c.decisionDueAt, c.firstResponseAt ? null : c.responseDueAt].filter((d): d is string => !!d);
  if (!dates.length) return null;
  return dates.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

export type DueState = 'overdue' | 'soon' | 'later';

export function dueState(iso: string, now: number): DueState {
  const at = Date.parse(iso);
  return at < now ? 'overdue' : at < now + SOON_MS ? 'soon' : 'later';
}
