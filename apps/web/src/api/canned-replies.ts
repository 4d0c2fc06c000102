import type { CannedReplyDto, CreateCannedReplyInput, UpdateCannedReplyInput } from '@guichet/contracts';
import { apiRequest } from './client';

/** Canned replies (réponses types): the composer reads and fills them, supervisors and admins write them. */
export const cannedRepliesApi = {
  /** With `teamId`: the service's and the organization-wide ones; without, every one a manager may see. */
  list(teamId: string | null, signal?: AbortSignal): Promise<CannedReplyDto[]> {
    return apiRequest<CannedReplyDto[]>('/canned-replies', { query: teamId ? { teamId } : {}, signal });
  },
  /** The text with the conversation's values in place of its variables. */
  render(id: string, conversationId: string): Promise<{ text: string }> {
    return apiRequest<{ text: string }>(`/canned-replies/${id}/render`, { method: 'POST', body: { conversationId } });
  },
  create: (input: CreateCannedReplyInput) => apiRequest<CannedReplyDto>('/canned-replies', { method: 'POST', body: input }),
  update: (id: string, input: UpdateCannedReplyInput) =>
    apiRequest<CannedReplyDto>(`/canned-replies/${id}`, { method: 'PATCH', body: input }),
  remove: (id: string) => apiRequest<void>(`/canned-replies/${id}`, { method: 'DELETE' }),
};
