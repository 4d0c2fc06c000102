import type {
  CancelEventInput,
  ContactRegistrationDto,
  CreateEventInput,
  CreateSessionInput,
  DuplicateEventInput,
  MessageRegistrantsInput,
  MessageRegistrantsResult,
  MunicipalEventDto,
  RegistrationDto,
  UpdateEventInput,
  UpdateSessionInput,
} from '@guichet/contracts';
import { apiRequest } from './client';

const path = (id: string) => `/events/${encodeURIComponent(id)}`;

/** Municipal events of the agent's services (issue 17), their registrants and the citizen file's registrations. */
export const eventsApi = {
  /** Upcoming and in progress; with `past`, every event (the screen splits them). */
  list(past: boolean, signal?: AbortSignal): Promise<MunicipalEventDto[]> {
    return apiRequest<MunicipalEventDto[]>('/events', { query: { past: past ? 'true' : undefined }, signal });
  },
  get(id: string, signal?: AbortSignal): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>(path(id), { signal });
  },
  create(input: Partial<CreateEventInput>): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>('/events', { method: 'POST', body: input });
  },
  update(id: string, input: Partial<UpdateEventInput>): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>(path(id), { method: 'PATCH', body: input });
  },
  duplicate(id: string, input: DuplicateEventInput): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>(`${path(id)}/duplicate`, { method: 'POST', body: input });
  },
  cancel(id: string, input: CancelEventInput): Promise<MunicipalEventDto & { messaged: number }> {
    return apiRequest(`${path(id)}/cancel`, { method: 'POST', body: input });
  },
  addSession(id: string, input: Partial<CreateSessionInput>): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>(`${path(id)}/sessions`, { method: 'POST', body: input });
  },
  updateSession(id: string, sessionId: string, input: Partial<UpdateSessionInput>): Promise<MunicipalEventDto> {
    return apiRequest<MunicipalEventDto>(`${path(id)}/sessions/${encodeURIComponent(sessionId)}`, {
      method: 'PATCH',
      body: input,
    });
  },
  cancelSession(id: string, sessionId: string, input: CancelEventInput): Promise<MunicipalEventDto & { messaged: number }> {
    return apiRequest(`${path(id)}/sessions/${encodeURIComponent(sessionId)}/cancel`, { method: 'POST', body: input });
  },
  registrations(id: string, signal?: AbortSignal): Promise<RegistrationDto[]> {
    return apiRequest<RegistrationDto[]>(`${path(id)}/registrations`, { signal });
  },
  checkIn(id: string, registrationId: string, present: boolean): Promise<RegistrationDto> {
    return apiRequest<RegistrationDto>(`${path(id)}/registrations/${encodeURIComponent(registrationId)}/check-in`, {
      method: 'POST',
      body: { present },
    });
  },
  promote(id: string, registrationId: string): Promise<RegistrationDto> {
    return apiRequest<RegistrationDto>(`${path(id)}/registrations/${encodeURIComponent(registrationId)}/promote`, {
      method: 'POST',
    });
  },
  cancelRegistration(id: string, registrationId: string): Promise<RegistrationDto> {
    return apiRequest<RegistrationDto>(`${path(id)}/registrations/${encodeURIComponent(registrationId)}/cancel`, {
      method: 'POST',
    });
  },
  message(id: string, input: MessageRegistrantsInput): Promise<MessageRegistrantsResult> {
    return apiRequest(`${path(id)}/messages`, { method: 'POST', body: input });
  },
  /** The export's path under the API (downloadFromApi); `sessionId`: one session's registrants. */
  exportPath(id: string, format: 'csv' | 'xlsx', sessionId?: string): string {
    return `${path(id)}/registrations.${format}${sessionId ? `?sessionId=${encodeURIComponent(sessionId)}` : ''}`;
  },
  forContact(contactId: string, signal?: AbortSignal): Promise<ContactRegistrationDto[]> {
    return apiRequest<ContactRegistrationDto[]>(`/contacts/${encodeURIComponent(contactId)}/event-registrations`, { signal });
  },
};
