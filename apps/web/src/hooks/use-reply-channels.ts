import type { ReplyChannelDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { conversationsApi } from '../api/conversations';
import { queryKeys } from '../api/query-keys';

/** The connected channels that reach this conversation's citizen (their e-mail, their phone). */
export function useReplyChannels(conversationId: string) {
  return useQuery<ReplyChannelDto[], ApiError>({
    queryKey: queryKeys.conversations.replyChannels(conversationId),
    queryFn: ({ signal }) => conversationsApi.replyChannels(conversationId, signal),
    staleTime: 60_000,
  });
}
