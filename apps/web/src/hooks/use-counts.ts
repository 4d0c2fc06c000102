import type { ConversationCountsDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

/**
 * The live counters of the views: socket events patch them in place (see cache-patch.ts); an
 * event about a conversation this tab never saw asks again (throttled), and they are checked
 * against the server every few minutes.
 */
export function useCounts() {
  return useQuery<ConversationCountsDto, ApiError>({
    queryKey: queryKeys.conversations.counts(),
    queryFn: ({ signal }) => conversationsApi.counts(signal),
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
}
