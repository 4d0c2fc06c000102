import type { ConversationCountsDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

/** The live counters of the views; socket events invalidate them (throttled, see cache-patch.ts). */
export function useCounts() {
  return useQuery<ConversationCountsDto, ApiError>({
    queryKey: queryKeys.conversations.counts(),
    queryFn: ({ signal }) => conversationsApi.counts(signal),
    staleTime: 60_000,
  });
}
