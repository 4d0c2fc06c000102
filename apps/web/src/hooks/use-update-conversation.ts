import type { ConversationDto, UpdateConversationInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

/** Take, release, assign, change status or priority. Lists follow through the socket's conversation.updated. */
export function useUpdateConversation() {
  const queryClient = useQueryClient();
  return useMutation<ConversationDto, ApiError, { id: string; input: UpdateConversationInput }>({
    mutationFn: ({ id, input }) => conversationsApi.update(id, input),
    onSuccess: (conversation) => {
      queryClient.setQueryData<ConversationDto>(queryKeys.conversations.detail(conversation.id), (old) =>
        old && old.version > conversation.version ? old : conversation,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.counts() });
    },
    onError: (error, { id }) => {
      const current = error.body?.current;
      if (current) queryClient.setQueryData(queryKeys.conversations.detail(id), current);
    },
  });
}
