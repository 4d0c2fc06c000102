import type { MessageDto, Page } from '@guichet/contracts';
import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { openConversation } from './conversation-opened';

export type MessagePages = InfiniteData<Page<MessageDto>, string | null>;

/** The messages of one conversation; `fetchNextPage` goes further back in time. */
export function useMessages(conversationId: string) {
  return useInfiniteQuery<Page<MessageDto>, ApiError, MessagePages, readonly unknown[], string | null>({
    queryKey: queryKeys.conversations.messages(conversationId),
    // The latest come with the file (one request, one access record); older pages by cursor.
    queryFn: async ({ pageParam, signal }) =>
      pageParam === null
        ? (await openConversation(conversationId)).messages
        : conversationsApi.messages(conversationId, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });
}
