import type { AgentsOnlineDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import { agentsApi } from '../api/agents';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';

/** Who is online; socket events (supervisors) keep it current, a minute's refetch otherwise. */
export function useAgentsOnline() {
  return useQuery<AgentsOnlineDto, ApiError>({
    queryKey: queryKeys.agentsOnline(),
    queryFn: ({ signal }) => agentsApi.online(signal),
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
}
