import type { CreateMessageInput, MessageDto } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { placeMessage } from '../realtime/cache-patch';
import type { MessagePages } from './use-messages';

/** Sends a reply or a note; the message shows at once, before its socket event. A 409 carries `body.current`. */
export function useSendMessage(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation<MessageDto, ApiError, CreateMessageInput & { files?: readonly File[] }>({
    mutationFn: ({ files, ...input }) => conversationsApi.createMessage(conversationId, input, files),
    onSuccess: (message) => {
      queryClient.setQueryData<MessagePages>(queryKeys.conversations.messages(conversationId), (data) =>
        data ? placeMessage(data, message, true) : data,
      );
    },
    onError: (error) => {
      const current = error.body?.current;
      if (current) queryClient.setQueryData(queryKeys.conversations.detail(conversationId), current);
    },
  });
}
