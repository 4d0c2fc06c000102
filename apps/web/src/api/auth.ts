import type { MeDto, LoginInput, LoginResponse } from '@guichet/contracts';
import { apiRequest } from './client';

export const authApi = {
  login(input: LoginInput): Promise<LoginResponse> {
    return apiRequest<LoginResponse>('/auth/login', { method: 'POST', body: input, auth: false });
  },
  /** Ends the session on the server; the browser forgets it whatever the answer. */
  logout(): Promise<void> {
    return apiRequest<void>('/auth/logout', { method: 'POST' });
  },
  me(signal?: AbortSignal): Promise<MeDto> {
    return apiRequest<MeDto>('/auth/me', { signal });
  },
};
