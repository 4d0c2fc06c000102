import type { PresenceDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../api/query-keys';

/** Agents viewing or typing in a conversation, as the last `presence.updated` said. */
export function usePresence(conversationId: string): PresenceDto {
  const query = useQuery<PresenceDto>({
    queryKey: queryKeys.presence(conversationId),
    queryFn: () => ({ conversationId, viewers: [] }),
    staleTime: Infinity,
    gcTime: 60_000,
  });
  return query.data ?? { conversationId, viewers: [] };
}
