import type { MessageDto } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { replaceMessage } from '../realtime/cache-patch';
import type { MessagePages } from './use-messages';

/** The retry button of a failed reply. */
export function useRetryMessage(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation<MessageDto, ApiError, string>({
    mutationFn: (messageId) => conversationsApi.retryMessage(conversationId, messageId),
    onSuccess: (message) => {
      queryClient.setQueryData<MessagePages>(queryKeys.conversations.messages(conversationId), (data) => (data ? replaceMessage(data, message) : data));
    },
  });
}
