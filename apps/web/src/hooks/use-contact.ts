import type {
  AddIdentityInput,
  ConfirmContactMergeInput,
  ContactDto,
  ContactMergeDto,
  ContactMergeFilesDto,
  IdentityDto,
  ProposeContactMergeInput,
} from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { contactsApi } from '../api/contacts';
import { queryKeys } from '../api/query-keys';

export function useContact(id: string) {
  return useQuery<ContactDto, ApiError>({
    queryKey: queryKeys.contact(id),
    queryFn: ({ signal }) => contactsApi.get(id, signal),
  });
}

export function useAddIdentity(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation<IdentityDto[], ApiError, AddIdentityInput>({
    mutationFn: (input) => contactsApi.addIdentity(contactId, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.contact(contactId) }),
  });
}

export function useRemoveIdentity(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation<IdentityDto[], ApiError, string>({
    mutationFn: (identityId) => contactsApi.removeIdentity(contactId, identityId),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.contact(contactId) }),
  });
}

/** The merges this citizen's file is part of (issue 16). */
export function useContactMerges(id: string) {
  return useQuery<ContactMergeDto[], ApiError>({
    queryKey: queryKeys.contactMerges(id),
    queryFn: ({ signal }) => contactsApi.merges(id, signal),
  });
}

export function useProposeMerge(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation<ContactMergeDto, ApiError, ProposeContactMergeInput>({
    mutationFn: (input) => contactsApi.proposeMerge(contactId, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.contactMerges(contactId) }),
  });
}

/** Both files of a merge side by side (supervisors, admins). */
export function useMergeFiles(id: string) {
  return useQuery<ContactMergeFilesDto, ApiError>({
    queryKey: queryKeys.mergeFiles(id),
    queryFn: ({ signal }) => contactsApi.mergeFiles(id, signal),
  });
}

/** Confirming or undoing moves conversations between files: everything shown may change. */
export function useDecideMerge() {
  const queryClient = useQueryClient();
  return useMutation<
    ContactMergeDto,
    ApiError,
    { id: string; decision: 'confirm' | 'reject' | 'undo'; choice?: ConfirmContactMergeInput }
  >({
    mutationFn: ({ id, decision, choice }) => contactsApi.decideMerge(id, decision, choice),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
}
