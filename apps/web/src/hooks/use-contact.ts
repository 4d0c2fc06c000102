import type { AddIdentityInput, ContactDto, IdentityDto } from '@guichet/contracts';
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
