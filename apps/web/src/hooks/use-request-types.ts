import type { RequestTypeDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { requestTypesApi } from '../api/request-types';

/** A service's démarches (they change rarely). */
export function useRequestTypes(teamId: string) {
  return useQuery<RequestTypeDto[], ApiError>({
    queryKey: queryKeys.requestTypes(teamId),
    queryFn: ({ signal }) => requestTypesApi.list(teamId, signal),
    staleTime: 5 * 60_000,
  });
}
