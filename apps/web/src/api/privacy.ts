import type {
  AuditPageDto,
  ContactErasureDto,
  ConversationPrivacyDto,
  LegalHoldDto,
  MessageDto,
  ProcessingRestrictionDto,
  ProcessingRestrictionKind,
  RightsRequestDto,
  RightsRequestKind,
  PutRetentionRulesInput,
  RetentionRunResult,
  RetentionSettingsDto,
} from '@guichet/contracts';
import { API_BASE, apiRequest, ApiError } from './client';
import { CSRF_HEADER, sessionStore } from '../session/session-store';

export interface AuditFilters {
  contactId?: string;
  conversationId?: string;
  agentId?: string;
  teamId?: string;
  from?: string;
  to?: string;
}

/** The export's address for these filters (the same the list uses, without the page). */
export function auditExportPath(filters: AuditFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const s = q.toString();
  return `/audit/export${s ? `?${s}` : ''}`;
}

export const privacyApi = {
  audit(filters: AuditFilters, before: string | null, signal?: AbortSignal): Promise<AuditPageDto> {
    return apiRequest<AuditPageDto>('/audit', { query: { ...filters, before, limit: 50 }, signal });
  },
  anonymizeContact(id: string): Promise<ContactErasureDto> {
    return apiRequest<ContactErasureDto>(`/contacts/${encodeURIComponent(id)}/anonymize`, { method: 'POST' });
  },
  /** The citizen's export (a ZIP), fetched with the session then handed to the browser as a download. */
  async exportContact(id: string): Promise<void> {
    const session = sessionStore.get();
    const response = await fetch(`${API_BASE}/contacts/${encodeURIComponent(id)}/export`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: session ? { [CSRF_HEADER]: session.csrf } : {},
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { message?: string } | null;
      throw new ApiError({ statusCode: response.status, error: 'Error', message: body?.message ?? `HTTP ${response.status}` });
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'donnees.zip';
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

/** A conversation's rights request (RGPD art. 12, 15–21), legal hold, export sent; a citizen's name rectified. */
export const rightsApi = {
  get: (id: string, signal?: AbortSignal) =>
    apiRequest<ConversationPrivacyDto>(`/conversations/${encodeURIComponent(id)}/privacy`, { signal }),
  set: (id: string, kind: RightsRequestKind) =>
    apiRequest<RightsRequestDto>(`/conversations/${encodeURIComponent(id)}/rights-request`, { method: 'PUT', body: { kind } }),
  clear: (id: string) => apiRequest<void>(`/conversations/${encodeURIComponent(id)}/rights-request`, { method: 'DELETE' }),
  extend: (id: string, reason: string) =>
    apiRequest<RightsRequestDto>(`/conversations/${encodeURIComponent(id)}/rights-request/extend`, {
      method: 'POST',
      body: { reason },
    }),
  sendExport: (id: string) => apiRequest<MessageDto>(`/conversations/${encodeURIComponent(id)}/send-export`, { method: 'POST' }),
  hold: (id: string, reason: string) =>
    apiRequest<LegalHoldDto>(`/conversations/${encodeURIComponent(id)}/legal-hold`, { method: 'PUT', body: { reason } }),
  release: (id: string) => apiRequest<LegalHoldDto>(`/conversations/${encodeURIComponent(id)}/legal-hold`, { method: 'DELETE' }),
  grant: (id: string, reason: string, until: string | null) =>
    apiRequest<ProcessingRestrictionDto>(`/conversations/${encodeURIComponent(id)}/rights-request/grant`, {
      method: 'POST',
      body: { reason, until },
    }),
  lift: (contactId: string, kind: ProcessingRestrictionKind, reason: string) =>
    apiRequest<ProcessingRestrictionDto>(`/contacts/${encodeURIComponent(contactId)}/restrictions/${kind}/lift`, {
      method: 'POST',
      body: { reason },
    }),
  rectify: (contactId: string, name: string) =>
    apiRequest<{ id: string; name: string }>(`/contacts/${encodeURIComponent(contactId)}`, { method: 'PATCH', body: { name } }),
};

export const retentionApi = {
  get: (signal?: AbortSignal) => apiRequest<RetentionSettingsDto>('/retention-rules', { signal }),
  put: (input: PutRetentionRulesInput) => apiRequest<RetentionSettingsDto>('/retention-rules', { method: 'PUT', body: input }),
  run: () => apiRequest<RetentionRunResult>('/retention/run', { method: 'POST' }),
};
