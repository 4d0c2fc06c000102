import type { AddIdentityInput, ContactDto, IdentityDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const contactsApi = {
  get(id: string, signal?: AbortSignal): Promise<ContactDto> {
    return apiRequest<ContactDto>(`/contacts/${encodeURIComponent(id)}`, { signal });
  },
  addIdentity(id: string, input: AddIdentityInput): Promise<IdentityDto[]> {
    return apiRequest<IdentityDto[]>(`/contacts/${encodeURIComponent(id)}/identities`, { method: 'POST', body: input });
  },
  removeIdentity(id: string, identityId: string): Promise<IdentityDto[]> {
    return apiRequest<IdentityDto[]>(`/contacts/${encodeURIComponent(id)}/identities/${encodeURIComponent(identityId)}`, {
      method: 'DELETE',
    });
  },
};
