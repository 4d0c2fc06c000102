import type { TeamDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { teamsApi } from '../api/teams';

export function useTeams() {
  return useQuery<TeamDto[], ApiError>({
    queryKey: queryKeys.teams(),
    queryFn: ({ signal }) => teamsApi.list(signal),
    staleTime: 5 * 60_000,
  });
}
