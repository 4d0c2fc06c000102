import type { AgentDto, LoginInput, LoginResponse } from '@guichet/contracts';
import { apiRequest } from './client';

export const authApi = {
  login(input: LoginInput): Promise<LoginResponse> {
    return apiRequest<LoginResponse>('/auth/login', { method: 'POST', body: input, auth: false });
  },
  me(signal?: AbortSignal): Promise<AgentDto> {
    return apiRequest<AgentDto>('/auth/me', { signal });
  },
};
