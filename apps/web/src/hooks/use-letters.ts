import type { ConversationDto, MessageDto, RegisterLetterInput } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';
import { placeMessage } from '../realtime/cache-patch';
import type { MessagePages } from './use-messages';

/** Registers a letter received at the town hall (its fields and its scan). */
export function useRegisterLetter() {
  const queryClient = useQueryClient();
  return useMutation<ConversationDto, ApiError, { input: RegisterLetterInput; scan: File }>({
    mutationFn: ({ input, scan }) => conversationsApi.registerLetter(input, scan),
    onSuccess: (conversation) => {
      queryClient.setQueryData(queryKeys.conversations.detail(conversation.id), conversation);
    },
  });
}

/** « Marquer comme posté » on a printed letter of the town hall. */
export function useMarkPosted(conversationId: string) {
  const queryClient = useQueryClient();
  const key = queryKeys.conversations.messages(conversationId);
  return useMutation<MessageDto, ApiError, string>({
    mutationFn: (messageId) => conversationsApi.markPosted(conversationId, messageId),
    onSuccess: (message) => {
      queryClient.setQueryData<MessagePages>(key, (data) => (data ? placeMessage(data, message, false) : data));
    },
  });
}
