import type {
  CancelEventInput,
  ContactRegistrationDto,
  CreateEventInput,
  CreateSessionInput,
  DuplicateEventInput,
  MessageRegistrantsInput,
  MunicipalEventDto,
  RegistrationDto,
  UpdateEventInput,
  UpdateSessionInput,
} from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { eventsApi } from '../api/events';
import { queryKeys } from '../api/query-keys';

export function useEvents(past: boolean) {
  return useQuery<MunicipalEventDto[], ApiError>({
    queryKey: queryKeys.events.list(past),
    queryFn: ({ signal }) => eventsApi.list(past, signal),
  });
}

export function useEvent(id: string) {
  return useQuery<MunicipalEventDto, ApiError>({
    queryKey: queryKeys.events.detail(id),
    queryFn: ({ signal }) => eventsApi.get(id, signal),
  });
}

/** A change to an event: the lists and the event (and its registrants, who may have moved) are read again. */
function useEventMutation<T, V>(fn: (v: V) => Promise<T>) {
  const queryClient = useQueryClient();
  return useMutation<T, ApiError, V>({
    mutationFn: fn,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.events.all() }),
  });
}

export const useCreateEvent = () => useEventMutation((input: Partial<CreateEventInput>) => eventsApi.create(input));
export const useUpdateEvent = () =>
  useEventMutation(({ id, input }: { id: string; input: Partial<UpdateEventInput> }) => eventsApi.update(id, input));
export const useDuplicateEvent = () =>
  useEventMutation(({ id, input }: { id: string; input: DuplicateEventInput }) => eventsApi.duplicate(id, input));
export const useCancelEvent = () =>
  useEventMutation(({ id, input }: { id: string; input: CancelEventInput }) => eventsApi.cancel(id, input));
export const useAddSession = (eventId: string) =>
  useEventMutation((input: Partial<CreateSessionInput>) => eventsApi.addSession(eventId, input));
export const useUpdateSession = (eventId: string) =>
  useEventMutation(({ sessionId, input }: { sessionId: string; input: Partial<UpdateSessionInput> }) =>
    eventsApi.updateSession(eventId, sessionId, input),
  );
export const useCancelSession = (eventId: string) =>
  useEventMutation(({ sessionId, input }: { sessionId: string; input: CancelEventInput }) =>
    eventsApi.cancelSession(eventId, sessionId, input),
  );

export function useRegistrations(eventId: string) {
  return useQuery<RegistrationDto[], ApiError>({
    queryKey: queryKeys.events.registrations(eventId),
    // Registrations arriving from the public page, cancelled or promoted come by socket
    // (realtime/registrations-patch.ts): the list at the door stays current without asking again.
    queryFn: ({ signal }) => eventsApi.registrations(eventId, signal),
  });
}

/** Presence on the day: the row changes at once (a tablet at the door must not wait), and is put back on failure. */
export function useCheckIn(eventId: string) {
  const queryClient = useQueryClient();
  const key = queryKeys.events.registrations(eventId);
  return useMutation<RegistrationDto, ApiError, { id: string; present: boolean }, { before?: RegistrationDto[] }>({
    mutationFn: ({ id, present }) => eventsApi.checkIn(eventId, id, present),
    onMutate: async ({ id, present }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<RegistrationDto[]>(key);
      queryClient.setQueryData<RegistrationDto[]>(key, (list) =>
        list?.map((r) => (r.id === id ? { ...r, checkedInAt: present ? new Date().toISOString() : null } : r)),
      );
      return { before };
    },
    onError: (_e, _v, context) => queryClient.setQueryData(key, context?.before),
    onSuccess: (row) => queryClient.setQueryData<RegistrationDto[]>(key, (list) => list?.map((r) => (r.id === row.id ? row : r))),
  });
}

export const usePromote = (eventId: string) => useEventMutation((id: string) => eventsApi.promote(eventId, id));
export const useCancelRegistration = (eventId: string) =>
  useEventMutation((id: string) => eventsApi.cancelRegistration(eventId, id));
export const useMessageRegistrants = (eventId: string) =>
  useEventMutation((input: MessageRegistrantsInput) => eventsApi.message(eventId, input));

/** The citizen file's registrations. */
export function useContactRegistrations(contactId: string) {
  return useQuery<ContactRegistrationDto[], ApiError>({
    queryKey: queryKeys.contactRegistrations(contactId),
    queryFn: ({ signal }) => eventsApi.forContact(contactId, signal),
  });
}
