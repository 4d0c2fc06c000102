import type { MeDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { authApi } from '../api/auth';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { sessionStore } from '../session/session-store';
import { useSignedInSession } from '../session/session-context';

/** The signed-in agent, fresh from the API (role and teams may have changed since login). */
export function useMe() {
  const session = useSignedInSession();
  const query = useQuery<MeDto, ApiError>({
    queryKey: queryKeys.me(),
    queryFn: ({ signal }) => authApi.me(signal),
    // Render at once with what the login returned, then refresh.
    initialData: session.agent,
    initialDataUpdatedAt: 0,
    staleTime: 5 * 60_000,
  });
  // Keep the stored copy current so a reload starts from the right role and teams.
  useEffect(() => {
    if (query.dataUpdatedAt > 0) sessionStore.updateAgent(query.data);
  }, [query.data, query.dataUpdatedAt]);
  return query;
}
