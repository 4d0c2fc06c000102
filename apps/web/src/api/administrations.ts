import type { CreateAdministrationInput, ExternalAdministrationDto, UpdateAdministrationInput } from '@guichet/contracts';
import { apiRequest } from './client';

/** The town's directory of external administrations (CRPA L114-2). */
export const administrationsApi = {
  list: (signal?: AbortSignal) => apiRequest<ExternalAdministrationDto[]>('/administrations', { signal }),
  create: (input: CreateAdministrationInput) =>
    apiRequest<ExternalAdministrationDto>('/administrations', { method: 'POST', body: input }),
  update: (id: string, input: UpdateAdministrationInput) =>
    apiRequest<ExternalAdministrationDto>(`/administrations/${id}`, { method: 'PATCH', body: input }),
  remove: (id: string) => apiRequest<void>(`/administrations/${id}`, { method: 'DELETE' }),
};
