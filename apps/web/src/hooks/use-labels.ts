import type { CreateLabelInput, LabelDto, UpdateLabelInput } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { labelsApi } from '../api/labels';
import { queryKeys } from '../api/query-keys';

/** The organization's labels (they change rarely). */
export function useLabels() {
  return useQuery<LabelDto[], ApiError>({
    queryKey: queryKeys.labels(),
    queryFn: ({ signal }) => labelsApi.list(signal),
    staleTime: 5 * 60_000,
  });
}

/** A label's change shows on every file: the labels and the loaded conversations are refreshed. */
function useLabelMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation<O, ApiError, I>({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.labels() });
      void client.invalidateQueries({ queryKey: queryKeys.conversations.all() });
    },
  });
}

export const useCreateLabel = () => useLabelMutation((input: CreateLabelInput) => labelsApi.create(input));
export const useUpdateLabel = () =>
  useLabelMutation(({ id, input }: { id: string; input: UpdateLabelInput }) => labelsApi.update(id, input));
export const useDeleteLabel = () => useLabelMutation((id: string) => labelsApi.remove(id));
