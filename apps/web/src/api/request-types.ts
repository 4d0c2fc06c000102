import type { RequestTypeDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const requestTypesApi = {
  /** The démarches in use of one service. */
  list(teamId: string, signal?: AbortSignal): Promise<RequestTypeDto[]> {
    return apiRequest<RequestTypeDto[]>('/request-types', { query: { teamId }, signal });
  },
};
