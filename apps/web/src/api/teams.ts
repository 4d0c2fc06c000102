import type { TeamDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const teamsApi = {
  list(signal?: AbortSignal): Promise<TeamDto[]> {
    return apiRequest<TeamDto[]>('/teams', { signal });
  },
};
