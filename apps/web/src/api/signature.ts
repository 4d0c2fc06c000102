import type { AgentSignatureDto, UpdateAgentSignatureInput } from '@guichet/contracts';
import { apiRequest } from './client';

/** The agent's own signature on replies (L111-2). */
export const signatureApi = {
  get(teamId: string, signal?: AbortSignal): Promise<AgentSignatureDto> {
    return apiRequest<AgentSignatureDto>('/account/signature', { query: { teamId }, signal });
  },
  update(teamId: string, input: UpdateAgentSignatureInput): Promise<AgentSignatureDto> {
    return apiRequest<AgentSignatureDto>('/account/signature', { method: 'PATCH', query: { teamId }, body: input });
  },
};
