import type { ConversationDto } from '@guichet/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { findConversationInLists } from '../realtime/cache-patch';

export function useConversation(id: string) {
  const queryClient = useQueryClient();
  return useQuery<ConversationDto, ApiError>({
    queryKey: queryKeys.conversations.detail(id),
    queryFn: ({ signal }) => conversationsApi.get(id, signal),
    // The row the agent clicked already holds the conversation: show it while the item loads.
    placeholderData: () => findConversationInLists(queryClient, id),
  });
}
