import type {
  ChannelDto,
  ChannelTestDto,
  CreateChannelInput,
  MailboxEventDto,
  QuarantineDto,
  TestChannelInput,
  UpdateChannelInput,
} from '@guichet/contracts';
import { API_BASE, apiRequest } from './client';

/** The channels administration screen's calls (admins). */
export const channelsAdminApi = {
  list: (signal?: AbortSignal) => apiRequest<ChannelDto[]>('/channels', { signal }),
  create: (input: CreateChannelInput) => apiRequest<ChannelDto>('/channels', { method: 'POST', body: input }),
  update: (id: string, input: UpdateChannelInput) => apiRequest<ChannelDto>(`/channels/${id}`, { method: 'PATCH', body: input }),
  /** An e-mail configuration tried before it is saved (nothing written). */
  test: (input: TestChannelInput) => apiRequest<ChannelTestDto>('/channels/test', { method: 'POST', body: input }),
  quarantine: (id: string, signal?: AbortSignal) => apiRequest<QuarantineDto[]>(`/channels/${id}/quarantine`, { signal }),
  activity: (id: string, signal?: AbortSignal) => apiRequest<MailboxEventDto[]>(`/channels/${id}/activity`, { signal }),
  retry: (id: string, quarantineId: string) =>
    apiRequest<{ ok: boolean; error?: string }>(`/channels/${id}/quarantine/${quarantineId}/retry`, { method: 'POST' }),
  discard: (id: string, quarantineId: string) =>
    apiRequest<{ ok: true }>(`/channels/${id}/quarantine/${quarantineId}/discard`, { method: 'POST' }),
  /** The quarantined mail's raw source, downloaded by a link (the session cookie goes with it). */
  rawUrl: (id: string, quarantineId: string) => `${API_BASE}/channels/${id}/quarantine/${quarantineId}/raw`,
};
