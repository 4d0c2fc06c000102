import type { AgentDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const agentsApi = {
  list(signal?: AbortSignal): Promise<AgentDto[]> {
    return apiRequest<AgentDto[]>('/agents', { signal });
  },
};
