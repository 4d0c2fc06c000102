import type {
  CreateOidcProviderInput,
  LogoutResponse,
  OidcLoginOptionDto,
  OidcProviderDto,
  SessionDto,
  UpdateOidcProviderInput,
} from '@guichet/contracts';
import { apiRequest } from './client';

/** Sign-in through OIDC providers (login page, admin settings) and the agent's own sessions. */
export const signInApi = {
  /** The login page's provider buttons (no session needed). */
  loginOptions(signal?: AbortSignal): Promise<OidcLoginOptionDto[]> {
    return apiRequest<OidcLoginOptionDto[]>('/auth/oidc/providers', { signal, auth: false });
  },
  /** Ends the session; for a provider's session, where to go to end it there too. */
  logout(): Promise<LogoutResponse | undefined> {
    return apiRequest<LogoutResponse | undefined>('/auth/logout', { method: 'POST' });
  },
  sessions(signal?: AbortSignal): Promise<SessionDto[]> {
    return apiRequest<SessionDto[]>('/auth/sessions', { signal });
  },
  revokeSession(id: string): Promise<void> {
    return apiRequest<void>(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
  },
  revokeOtherSessions(): Promise<{ ended: number }> {
    return apiRequest<{ ended: number }>('/auth/sessions', { method: 'DELETE' });
  },
  providers(signal?: AbortSignal): Promise<OidcProviderDto[]> {
    return apiRequest<OidcProviderDto[]>('/oidc-providers', { signal });
  },
  createProvider(input: CreateOidcProviderInput): Promise<OidcProviderDto> {
    return apiRequest<OidcProviderDto>('/oidc-providers', { method: 'POST', body: input });
  },
  updateProvider(id: string, input: UpdateOidcProviderInput): Promise<OidcProviderDto> {
    return apiRequest<OidcProviderDto>(`/oidc-providers/${encodeURIComponent(id)}`, { method: 'PATCH', body: input });
  },
  removeProvider(id: string): Promise<void> {
    return apiRequest<void>(`/oidc-providers/${encodeURIComponent(id)}`, { method: 'DELETE' });
  },
};
