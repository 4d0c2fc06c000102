import type { ConversationDto, ListConversationsQuery, MessageDto, Page } from '@guichet/contracts';
import { apiRequest } from './client';

/** The filters of a conversation list: the list query without its paging. */
export type ConversationFilters = Partial<Pick<ListConversationsQuery, 'status' | 'assignee' | 'teamId' | 'channel' | 'q'>>;

export const CONVERSATIONS_PAGE_SIZE = 25;
export const MESSAGES_PAGE_SIZE = 50;

export const conversationsApi = {
  /** Newest activity first; `nextCursor` continues the keyset. */
  list(filters: ConversationFilters, cursor: string | null, signal?: AbortSignal): Promise<Page<ConversationDto>> {
    return apiRequest<Page<ConversationDto>>('/conversations', {
      query: { ...filters, limit: CONVERSATIONS_PAGE_SIZE, cursor },
      signal,
    });
  },
  get(id: string, signal?: AbortSignal): Promise<ConversationDto> {
    return apiRequest<ConversationDto>(`/conversations/${encodeURIComponent(id)}`, { signal });
  },
  messages(id: string, cursor: string | null, signal?: AbortSignal): Promise<Page<MessageDto>> {
    return apiRequest<Page<MessageDto>>(`/conversations/${encodeURIComponent(id)}/messages`, {
      query: { limit: MESSAGES_PAGE_SIZE, cursor },
      signal,
    });
  },
};
