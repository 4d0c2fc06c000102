import type { PublicOrganizationDto, PublicRequestCreated, PublicRequestDto } from '@guichet/contracts';
import { apiRequest } from './client';

/** The citizen pages: no session, no bearer token. */
export const publicApi = {
  organization(slug: string, signal?: AbortSignal): Promise<PublicOrganizationDto> {
    return apiRequest<PublicOrganizationDto>(`/public/organizations/${encodeURIComponent(slug)}`, { signal, auth: false });
  },
  /** Multipart when files are attached, JSON otherwise. */
  createRequest(slug: string, form: FormData): Promise<PublicRequestCreated> {
    return apiRequest<PublicRequestCreated>(`/public/organizations/${encodeURIComponent(slug)}/requests`, { method: 'POST', form, auth: false });
  },
  request(reference: string, token: string, signal?: AbortSignal): Promise<PublicRequestDto> {
    return apiRequest<PublicRequestDto>(`/public/requests/${encodeURIComponent(reference)}`, { query: { token }, signal, auth: false });
  },
  reply(reference: string, token: string, body: string): Promise<PublicRequestDto> {
    return apiRequest<PublicRequestDto>(`/public/requests/${encodeURIComponent(reference)}`, { method: 'POST', query: { token }, body: { body }, auth: false });
  },
};
