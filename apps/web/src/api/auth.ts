import type { MeDto, LoginInput, LoginResponse } from '@guichet/contracts';
import { apiRequest } from './client';

export const authApi = {
  login(input: LoginInput): Promise<LoginResponse> {
    return apiRequest<LoginResponse>('/auth/login', { method: 'POST', body: input, auth: false });
  },
  me(signal?: AbortSignal): Promise<MeDto> {
    return apiRequest<MeDto>('/auth/me', { signal });
  },
};
