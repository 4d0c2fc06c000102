import type { ChannelKind, TeamDto } from '@guichet/contracts';
import { apiRequest } from './client';

export const teamsApi = {
  list(signal?: AbortSignal): Promise<TeamDto[]> {
    return apiRequest<TeamDto[]>('/teams', { signal });
  },
  /** The kinds of channel connected in the organization. */
  channelKinds(signal?: AbortSignal): Promise<ChannelKind[]> {
    return apiRequest<ChannelKind[]>('/channel-kinds', { signal });
  },
};
