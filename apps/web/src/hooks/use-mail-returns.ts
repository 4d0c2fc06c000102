import type { MailReturnDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { mailReturnsApi } from '../api/mail-returns';
import { queryKeys } from '../api/query-keys';

/** The services' mail returns of the last 30 days (rare: looked at again every few minutes). */
export function useMailReturns() {
  return useQuery<MailReturnDto[], ApiError>({
    queryKey: queryKeys.mailReturns(),
    queryFn: ({ signal }) => mailReturnsApi.list(signal),
    staleTime: 60_000,
    refetchInterval: 5 * 60_000,
  });
}
