import type { MailReturnDto } from '@guichet/contracts';
import { apiRequest } from './client';

/** Bounces about nothing Guichet sent, received by the mailboxes of the agent's services. */
export const mailReturnsApi = {
  list: (signal?: AbortSignal) => apiRequest<MailReturnDto[]>('/mail-returns', { signal }),
  sourcePath: (id: string) => `/mail-returns/${encodeURIComponent(id)}/source`,
};
