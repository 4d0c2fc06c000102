import type { ConversationDto, UpdateConversationInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

/**
 * Take, release, assign, change status or priority. Lists and counters follow through the
 * socket's conversation.updated (it carries the state before the change: see cache-patch.ts).
 */
export function useUpdateConversation() {
  const queryClient = useQueryClient();
  return useMutation<ConversationDto, ApiError, { id: string; input: UpdateConversationInput }>({
    mutationFn: ({ id, input }) => conversationsApi.update(id, input),
    onSuccess: (conversation) => {
      queryClient.setQueryData<ConversationDto>(queryKeys.conversations.detail(conversation.id), (old) =>
        old && old.version > conversation.version ? old : conversation,
      );
    },
    onError: (error, { id }) => {
      const current = error.body?.current;
      if (current) queryClient.setQueryData(queryKeys.conversations.detail(id), current);
    },
  });
}
