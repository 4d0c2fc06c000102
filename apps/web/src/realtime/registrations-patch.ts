import type { EventPlacesDto, MunicipalEventDto, RegistrationDto } from '@guichet/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/query-keys';

/**
 * An event's registrants (in the server's order, by registration) with `r` put in or replaced:
 * the waiting lists' positions (one list per session) are counted again in that order (1 =
 * next), as the server counts them, since a registration that joined or left one moves those behind.
 */
export function withRegistration(list: readonly RegistrationDto[], r: RegistrationDto): RegistrationDto[] {
  const known = list.some((x) => x.id === r.id);
  const next = known ? list.map((x) => (x.id === r.id ? r : x)) : [...list, r];
  const positions = new Map<string, number>();
  return next.map((x) => {
    let p: number | null = null;
    if (x.status === 'waitlisted') {
      p = (positions.get(x.sessionId) ?? 0) + 1;
      positions.set(x.sessionId, p);
    }
    return x.position === p ? x : { ...x, position: p };
  });
}

/** An event's places (and its session's) as a socket event tells them after a change. */
export function withPlaces(e: MunicipalEventDto, places: EventPlacesDto): MunicipalEventDto {
  if (e.id !== places.eventId) return e;
  const { capacity, bookedPlaces, availablePlaces, waitlistedPlaces, session } = places;
  return {
    ...e,
    capacity,
    bookedPlaces,
    availablePlaces,
    waitlistedPlaces,
    sessions: e.sessions?.map((s) =>
      s.id === session.id
        ? {
            ...s,
            capacity: session.capacity,
            bookedPlaces: session.bookedPlaces,
            availablePlaces: session.availablePlaces,
            waitlistedPlaces: session.waitlistedPlaces,
          }
        : s,
    ),
  };
}

/**
 * A registration's socket event (issue 17) patches what the events screens hold: the event's
 * registrants when loaded, its places in the event and in the lists. Nothing is asked again.
 */
export function patchRegistration(queryClient: QueryClient, r: RegistrationDto, places: EventPlacesDto): void {
  queryClient.setQueryData<RegistrationDto[]>(queryKeys.events.registrations(r.eventId), (list) =>
    list ? withRegistration(list, r) : list,
  );
  queryClient.setQueryData<MunicipalEventDto>(queryKeys.events.detail(r.eventId), (e) => (e ? withPlaces(e, places) : e));
  queryClient.setQueriesData<MunicipalEventDto[]>({ queryKey: queryKeys.events.lists() }, (list) =>
    list?.map((e) => withPlaces(e, places)),
  );
}

/** An event still in the upcoming list (the server's rule: not ended more than a day ago). */
export function isUpcoming(e: MunicipalEventDto, now = Date.now()): boolean {
  return Date.parse(e.endsAt ?? e.startsAt) >= now - 86_400_000;
}

/**
 * A list of events (the server's order: by start, then id) with `e` put in, replaced or moved
 * (its date changed), or taken out of the upcoming list (`past` false) when it no longer belongs.
 */
export function withEvent(
  list: readonly MunicipalEventDto[],
  e: MunicipalEventDto,
  past: boolean,
  now = Date.now(),
): MunicipalEventDto[] {
  const others = list.filter((x) => x.id !== e.id);
  if (!past && !isUpcoming(e, now)) return others;
  const at = others.findIndex((x) => x.startsAt > e.startsAt || (x.startsAt === e.startsAt && x.id > e.id));
  return at < 0 ? [...others, e] : [...others.slice(0, at), e, ...others.slice(at)];
}

/**
 * An event's socket event (issue 17: created, changed, cancelled) patches the events screens: the
 * event, and its row in every loaded list. A citizen file showing registrations reads them again
 * (they show the event's title, date and cancellation).
 */
export function patchMunicipalEvent(queryClient: QueryClient, e: MunicipalEventDto, created: boolean): void {
  queryClient.setQueryData<MunicipalEventDto>(queryKeys.events.detail(e.id), (old) => (old ? e : old));
  for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKeys.events.lists() })) {
    const list = query.state.data as MunicipalEventDto[] | undefined;
    if (list) queryClient.setQueryData(query.queryKey, withEvent(list, e, query.queryKey[2] === true));
  }
  if (!created)
    void queryClient.invalidateQueries({
      predicate: (q) => q.queryKey[0] === 'contacts' && q.queryKey[2] === 'event-registrations',
    });
}
