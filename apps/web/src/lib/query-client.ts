import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/client';

/** Client errors (4xx) are answers, not hiccups: never retried. Network and 5xx get two more tries. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // The socket keeps the cache current; refocusing the tab need not refetch everything.
        refetchOnWindowFocus: false,
        retry: (failures, error) => {
          if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
          return failures < 2;
        },
      },
      // A change made offline fails at once with its reason (apiRequest), rather than waiting paused
      // with "Envoi…" on screen and going out later without the agent knowing.
      mutations: { retry: false, networkMode: 'always' },
    },
  });
}
