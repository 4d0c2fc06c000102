import type { ChannelKind, TeamDto } from '@guichet/contracts';
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

/** The kinds of channel connected in the organization (what the new-conversation form offers). */
export function useChannelKinds() {
  return useQuery<ChannelKind[], ApiError>({
    queryKey: queryKeys.channelKinds(),
    queryFn: ({ signal }) => teamsApi.channelKinds(signal),
    staleTime: 5 * 60_000,
  });
}
