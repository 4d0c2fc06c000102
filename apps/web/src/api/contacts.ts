import type {
  AddIdentityInput,
  ConfirmContactMergeInput,
  ContactDto,
  ContactMergeDto,
  ContactMergeFilesDto,
  IdentityDto,
  ProposeContactMergeInput,
} from '@guichet/contracts';
import { apiRequest } from './client';

export const contactsApi = {
  get(id: string, signal?: AbortSignal): Promise<ContactDto> {
    return apiRequest<ContactDto>(`/contacts/${encodeURIComponent(id)}`, { signal });
  },
  addIdentity(id: string, input: AddIdentityInput): Promise<IdentityDto[]> {
    return apiRequest<IdentityDto[]>(`/contacts/${encodeURIComponent(id)}/identities`, { method: 'POST', body: input });
  },
  merges(id: string, signal?: AbortSignal): Promise<ContactMergeDto[]> {
    return apiRequest<ContactMergeDto[]>(`/contacts/${encodeURIComponent(id)}/merges`, { signal });
  },
  proposeMerge(id: string, input: ProposeContactMergeInput): Promise<ContactMergeDto> {
    return apiRequest<ContactMergeDto>(`/contacts/${encodeURIComponent(id)}/merges`, { method: 'POST', body: input });
  },
  decideMerge(
    mergeId: string,
    decision: 'confirm' | 'reject' | 'undo',
    choice?: ConfirmContactMergeInput,
  ): Promise<ContactMergeDto> {
    return apiRequest<ContactMergeDto>(`/contact-merges/${encodeURIComponent(mergeId)}/${decision}`, {
      method: 'POST',
      ...(choice ? { body: choice } : {}),
    });
  },
  mergeFiles(mergeId: string, signal?: AbortSignal): Promise<ContactMergeFilesDto> {
    return apiRequest<ContactMergeFilesDto>(`/contact-merges/${encodeURIComponent(mergeId)}/files`, { signal });
  },
  removeIdentity(id: string, identityId: string): Promise<IdentityDto[]> {
    return apiRequest<IdentityDto[]>(`/contacts/${encodeURIComponent(id)}/identities/${encodeURIComponent(identityId)}`, {
      method: 'DELETE',
    });
  },
};
