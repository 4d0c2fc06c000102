import type { LogCallInput, MessageDto } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { placeMessage } from '../realtime/cache-patch';
import type { MessagePages } from './use-messages';

export function useLogCall(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation<MessageDto, ApiError, LogCallInput>({
    mutationFn: (input) => conversationsApi.logCall(conversationId, input),
    onSuccess: (message) => {
      queryClient.setQueryData<MessagePages>(queryKeys.conversations.messages(conversationId), (data) =>
        data ? placeMessage(data, message, true) : data,
      );
    },
  });
}
