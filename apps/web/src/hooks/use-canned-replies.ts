import type { CannedReplyDto, CreateCannedReplyInput, UpdateCannedReplyInput } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { cannedRepliesApi } from '../api/canned-replies';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';

/** The replies offered in a service's conversations (the service's and the organization's), or all (`null`, managers). */
export function useCannedReplies(teamId: string | null, enabled = true) {
  return useQuery<CannedReplyDto[], ApiError>({
    queryKey: queryKeys.cannedReplies(teamId),
    queryFn: ({ signal }) => cannedRepliesApi.list(teamId, signal),
    staleTime: 60_000,
    enabled,
  });
}

/** Every change refreshes the lists the composers and the screen use. */
function useCannedMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation<O, ApiError, I>({
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.cannedRepliesAll() }),
  });
}

export const useCreateCannedReply = () => useCannedMutation((input: CreateCannedReplyInput) => cannedRepliesApi.create(input));
export const useUpdateCannedReply = () =>
  useCannedMutation(({ id, input }: { id: string; input: UpdateCannedReplyInput }) => cannedRepliesApi.update(id, input));
export const useRemoveCannedReply = () => useCannedMutation((id: string) => cannedRepliesApi.remove(id));
