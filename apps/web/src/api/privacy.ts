import type {
  AuditPageDto,
  ContactErasureDto,
  PutRetentionRulesInput,
  RetentionRunResult,
  RetentionSettingsDto,
} from '@guichet/contracts';
import { API_BASE, apiRequest, ApiError } from './client';
import { CSRF_HEADER, sessionStore } from '../session/session-store';

export interface AuditFilters {
  contactId?: string;
  agentId?: string;
  from?: string;
  to?: string;
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

export const retentionApi = {
  get: (signal?: AbortSignal) => apiRequest<RetentionSettingsDto>('/retention-rules', { signal }),
  put: (input: PutRetentionRulesInput) => apiRequest<RetentionSettingsDto>('/retention-rules', { method: 'PUT', body: input }),
  run: () => apiRequest<RetentionRunResult>('/retention/run', { method: 'POST' }),
};
