import type { AgentSignatureDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { signatureApi } from '../api/signature';

/** The signature the server adds to this agent's replies in a service (the composer previews it). */
export function useSignature(teamId: string) {
  return useQuery<AgentSignatureDto, ApiError>({
    queryKey: queryKeys.signature(teamId),
    queryFn: ({ signal }) => signatureApi.get(teamId, signal),
    staleTime: 5 * 60_000,
  });
}
