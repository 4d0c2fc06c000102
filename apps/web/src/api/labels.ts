import type { CreateLabelInput, LabelDto, UpdateLabelInput } from '@guichet/contracts';
import { apiRequest } from './client';

export const labelsApi = {
  list: (signal?: AbortSignal) => apiRequest<LabelDto[]>('/labels', { signal }),
  create: (input: CreateLabelInput) => apiRequest<LabelDto>('/labels', { method: 'POST', body: input }),
  update: (id: string, input: UpdateLabelInput) => apiRequest<LabelDto>(`/labels/${id}`, { method: 'PATCH', body: input }),
  remove: (id: string) => apiRequest<void>(`/labels/${id}`, { method: 'DELETE' }),
};
