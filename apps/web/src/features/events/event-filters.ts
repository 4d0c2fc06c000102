import type { MunicipalEventDto } from '@guichet/contracts';

/** The state an agent sees in the events list. */
export type EventState = 'published' | 'draft' | 'cancelled';

export const EVENT_STATES: readonly EventState[] = ['published', 'draft', 'cancelled'];

export const eventState = (e: Pick<MunicipalEventDto, 'status' | 'published'>): EventState =>
  e.status === 'cancelled' ? 'cancelled' : e.published ? 'published' : 'draft';

/** The events list's filters: a service, a day from which (local `YYYY-MM-DD`), a state; empty means any. */
export interface EventFilters {
  teamId: string;
  from: string;
  state: EventState | '';
}

export const NO_EVENT_FILTERS: EventFilters = { teamId: '', from: '', state: '' };

/** The events that pass the filters, in their order. */
export function filterEvents<E extends Pick<MunicipalEventDto, 'teamId' | 'startsAt' | 'status' | 'published'>>(
  events: E[],
  f: EventFilters,
): E[] {
  // The day starts at local midnight: the agent picks a day on their calendar.
  const from = f.from ? new Date(`${f.from}T00:00:00`).getTime() : null;
  return events.filter(
    (e) =>
      (!f.teamId || e.teamId === f.teamId) &&
      (from === null || new Date(e.startsAt).getTime() >= from) &&
      (!f.state || eventState(e) === f.state),
  );
}
