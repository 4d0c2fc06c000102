import type { AgentDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import { agentsApi } from '../api/agents';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';

export function useAgents() {
  return useQuery<AgentDto[], ApiError>({
    queryKey: queryKeys.agents(),
    queryFn: ({ signal }) => agentsApi.list(signal),
    staleTime: 5 * 60_000,
  });
}
