import type { ConversationDto, MessageDto, StartConversationInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

export function useStartConversation() {
  const queryClient = useQueryClient();
  return useMutation<{ conversation: ConversationDto; message: MessageDto }, ApiError, StartConversationInput>({
    mutationFn: (input) => conversationsApi.start(input),
    onSuccess: ({ conversation }) => {
      queryClient.setQueryData(queryKeys.conversations.detail(conversation.id), conversation);
    },
  });
}
