import type { AgentDto, AgentsOnlineDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const agentsApi = {
  list(signal?: AbortSignal): Promise<AgentDto[]> {
    return apiRequest<AgentDto[]>('/agents', { signal });
  },
  online(signal?: AbortSignal): Promise<AgentsOnlineDto> {
    return apiRequest<AgentsOnlineDto>('/agents/online', { signal });
  },
};
