import type { ConversationDto } from '@guichet/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { findConversationInLists } from '../realtime/cache-patch';
import { openConversation } from './conversation-opened';

export function useConversation(id: string) {
  const queryClient = useQueryClient();
  return useQuery<ConversationDto, ApiError>({
    queryKey: queryKeys.conversations.detail(id),
    // With its latest messages, in one request recorded once in the access audit.
    queryFn: async () => (await openConversation(id)).conversation,
    // The row the agent clicked already holds the conversation: show it while the item loads.
    placeholderData: () => findConversationInLists(queryClient, id),
  });
}
