import type { ConversationDto, Page } from '@guichet/contracts';
import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi, type ConversationFilters } from '../api/conversations';
import { normalizeFilters, queryKeys, type ConversationListKey } from '../api/query-keys';

export type ConversationPages = InfiniteData<Page<ConversationDto>, string | null>;

/** One inbox list, page after page over the keyset API; socket events keep it current. */
export function useConversations(filters: ConversationFilters) {
  const normalized = normalizeFilters(filters);
  return useInfiniteQuery<Page<ConversationDto>, ApiError, ConversationPages, ConversationListKey, string | null>({
    queryKey: queryKeys.conversations.list(normalized),
    queryFn: ({ pageParam, signal }) => conversationsApi.list(normalized, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}
