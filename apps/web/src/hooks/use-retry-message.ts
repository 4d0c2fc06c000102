import type { MessageDto } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { placeMessage, replaceMessage } from '../realtime/cache-patch';
import type { MessagePages } from './use-messages';

/** The retry button of a failed reply. */
export function useRetryMessage(conversationId: string) {
  const queryClient = useQueryClient();
  const key = queryKeys.conversations.messages(conversationId);
  return useMutation<MessageDto, ApiError, string>({
    mutationFn: (messageId) => conversationsApi.retryMessage(conversationId, messageId),
    // The reply goes back to "queued" before the request: the worker's "delivered" may reach the
    // socket before this request's answer, and statuses only move forward from there.
    onMutate: (messageId) => {
      queryClient.setQueryData<MessagePages>(key, (data) => {
        const current = data?.pages.flatMap((p) => p.items).find((m) => m.id === messageId);
        return data && current ? replaceMessage(data, { ...current, status: 'queued', error: null }) : data;
      });
    },
    onSuccess: (message) => {
      queryClient.setQueryData<MessagePages>(key, (data) => (data ? placeMessage(data, message, false) : data));
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
}
