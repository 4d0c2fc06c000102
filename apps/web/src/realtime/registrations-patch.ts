import type { EventPlacesDto, MunicipalEventDto, RegistrationDto } from '@guichet/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/query-keys';

/**
 * An event's registrants (in the server's order, by registration) with `r` put in or replaced:
 * the waiting list's positions are counted again in that order (1 = next), as the server counts
 * them, since a registration that joined or left it moves those behind.
 */
export function withRegistration(list: readonly RegistrationDto[], r: RegistrationDto): RegistrationDto[] {
  const known = list.some((x) => x.id === r.id);
  const next = known ? list.map((x) => (x.id === r.id ? r : x)) : [...list, r];
  let position = 0;
  return next.map((x) => {
    const p = x.status === 'waitlisted' ? ++position : null;
    return x.position === p ? x : { ...x, position: p };
  });
}

/** An event's places as a socket event tells them after a change. */
export function withPlaces(e: MunicipalEventDto, places: EventPlacesDto): MunicipalEventDto {
  if (e.id !== places.eventId) return e;
  const { capacity, bookedPlaces, availablePlaces, waitlistedPlaces } = places;
  return { ...e, capacity, bookedPlaces, availablePlaces, waitlistedPlaces };
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
