import type {
  ConversationCountsDto,
  ConversationDto,
  ConversationOpenedDto,
  CreateMessageInput,
  ListConversationsQuery,
  MessageDto,
  Page,
  UpdateConversationInput,
  LogCallInput,
  StartConversationInput,
  ReplyChannelDto,
  AdministrationTransferDto,
  TransferToAdministrationInput,
  RegisterLetterInput,
} from '@guichet/contracts';
import { apiRequest } from './client';

/** The filters of a conversation list: the list query without its paging. */
export type ConversationFilters = Partial<
  Pick<ListConversationsQuery, 'status' | 'assignee' | 'teamId' | 'channel' | 'q' | 'due' | 'sort' | 'labelId'>
>;

export const CONVERSATIONS_PAGE_SIZE = 25;
export const MESSAGES_PAGE_SIZE = 50;

export const conversationsApi = {
  /** CRPA L114-2: forwards the request to the competent administration and closes the file. */
  transferToAdministration(id: string, input: TransferToAdministrationInput): Promise<AdministrationTransferDto> {
    return apiRequest<AdministrationTransferDto>(`/conversations/${id}/transfer-administration`, { method: 'POST', body: input });
  },
  /** Newest activity first; `nextCursor` continues the keyset. */
  list(
    filters: ConversationFilters,
    cursor: string | null,
    signal?: AbortSignal,
    limit = CONVERSATIONS_PAGE_SIZE,
  ): Promise<Page<ConversationDto>> {
    return apiRequest<Page<ConversationDto>>('/conversations', {
      query: { ...filters, status: filters.status?.join(','), limit, cursor },
      signal,
    });
  },
  counts(signal?: AbortSignal): Promise<ConversationCountsDto> {
    return apiRequest<ConversationCountsDto>('/conversations/counts', { signal });
  },
  get(id: string, signal?: AbortSignal): Promise<ConversationDto> {
    return apiRequest<ConversationDto>(`/conversations/${encodeURIComponent(id)}`, { signal });
  },
  /** The file and its latest messages, as it opens: one request, one access record. */
  opened(id: string, signal?: AbortSignal): Promise<ConversationOpenedDto> {
    return apiRequest<ConversationOpenedDto>(`/conversations/${encodeURIComponent(id)}/opened`, {
      query: { limit: MESSAGES_PAGE_SIZE },
      signal,
    });
  },
  messages(id: string, cursor: string | null, signal?: AbortSignal): Promise<Page<MessageDto>> {
    return apiRequest<Page<MessageDto>>(`/conversations/${encodeURIComponent(id)}/messages`, {
      query: { limit: MESSAGES_PAGE_SIZE, cursor },
      signal,
    });
  },
  /** 409 with `current` when the conversation changed since `version`. */
  createMessage(id: string, input: CreateMessageInput, files: readonly File[] = []): Promise<MessageDto> {
    const path = `/conversations/${encodeURIComponent(id)}/messages`;
    if (!files.length) return apiRequest<MessageDto>(path, { method: 'POST', body: input });
    // With files: multipart, every field as text (the API reads `version` back as a number).
    const form = new FormData();
    form.set('kind', input.kind);
    form.set('body', input.body);
    form.set('version', String(input.version));
    if (input.channelId) form.set('channelId', input.channelId);
    for (const f of files) form.append('attachments', f, f.name);
    return apiRequest<MessageDto>(path, { method: 'POST', form });
  },
  /** An agent writes first (e-mail, SMS, WhatsApp). */
  start(input: StartConversationInput): Promise<{ conversation: ConversationDto; message: MessageDto }> {
    return apiRequest<{ conversation: ConversationDto; message: MessageDto }>('/conversations', { method: 'POST', body: input });
  },
  /** Channels reaching the citizen besides the thread's own (a web form request's e-mail or phone). */
  replyChannels(id: string, signal?: AbortSignal): Promise<ReplyChannelDto[]> {
    return apiRequest<ReplyChannelDto[]>(`/conversations/${encodeURIComponent(id)}/reply-channels`, { signal });
  },
  /** Sends a failed reply again. */
  retryMessage(id: string, messageId: string): Promise<MessageDto> {
    return apiRequest<MessageDto>(`/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/retry`, {
      method: 'POST',
    });
  },
  /** A printed letter of the town hall was posted (« envoyé par courrier »). */
  markPosted(id: string, messageId: string): Promise<MessageDto> {
    return apiRequest<MessageDto>(`/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/posted`, {
      method: 'POST',
    });
  },
  /** A letter received at the town hall, with its scan: the conversation it opens. */
  registerLetter(input: RegisterLetterInput, scan: File): Promise<ConversationDto> {
    const form = new FormData();
    for (const [k, v] of Object.entries(input)) if (typeof v === 'string' && v) form.set(k, v);
    form.set('scan', scan, scan.name);
    return apiRequest<ConversationDto>('/letters', { method: 'POST', form });
  },
  /** A call or a counter visit logged by hand. */
  logCall(id: string, input: LogCallInput): Promise<MessageDto> {
    return apiRequest<MessageDto>(`/conversations/${encodeURIComponent(id)}/calls`, { method: 'POST', body: input });
  },
  update(id: string, input: UpdateConversationInput): Promise<ConversationDto> {
    return apiRequest<ConversationDto>(`/conversations/${encodeURIComponent(id)}`, { method: 'PATCH', body: input });
  },
};
