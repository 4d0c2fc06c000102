import type { MessageDto, Page } from '@guichet/contracts';
import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

export type MessagePages = InfiniteData<Page<MessageDto>, string | null>;

/** The messages of one conversation; `fetchNextPage` goes further back in time. */
export function useMessages(conversationId: string) {
  return useInfiniteQuery<Page<MessageDto>, ApiError, MessagePages, readonly unknown[], string | null>({
    queryKey: queryKeys.conversations.messages(conversationId),
    queryFn: ({ pageParam, signal }) => conversationsApi.messages(conversationId, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}
