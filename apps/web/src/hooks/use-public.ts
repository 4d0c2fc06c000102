import type { PublicOrganizationDto, PublicRequestCreated, PublicRequestDto } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { publicApi } from '../api/public';

const publicKeys = {
  organization: (slug: string) => ['public', 'organization', slug] as const,
  request: (reference: string) => ['public', 'request', reference] as const,
};

export function usePublicOrganization(slug: string) {
  return useQuery<PublicOrganizationDto, ApiError>({
    queryKey: publicKeys.organization(slug),
    queryFn: ({ signal }) => publicApi.organization(slug, signal),
    staleTime: 10 * 60_000,
  });
}

export function useCreatePublicRequest(slug: string) {
  return useMutation<PublicRequestCreated, ApiError, FormData>({ mutationFn: (form) => publicApi.createRequest(slug, form) });
}

/** The citizen's request; refreshed every 20 s while the page is open so an answer shows without reloading. */
export function usePublicRequest(reference: string, token: string) {
  return useQuery<PublicRequestDto, ApiError>({
    queryKey: publicKeys.request(reference),
    queryFn: ({ signal }) => publicApi.request(reference, token, signal),
    refetchInterval: 20_000,
  });
}

export function usePublicReply(reference: string, token: string) {
  const queryClient = useQueryClient();
  return useMutation<PublicRequestDto, ApiError, string>({
    mutationFn: (body) => publicApi.reply(reference, token, body),
    onSuccess: (request) => queryClient.setQueryData(publicKeys.request(reference), request),
  });
}
