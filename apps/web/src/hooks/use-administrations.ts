import type { ExternalAdministrationDto } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { administrationsApi } from '../api/administrations';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';

/** The town's directory of external administrations (the transfer form's picker, the admin screen). */
export function useAdministrations() {
  return useQuery<ExternalAdministrationDto[], ApiError>({
    queryKey: queryKeys.administrations(),
    queryFn: ({ signal }) => administrationsApi.list(signal),
    staleTime: 5 * 60_000,
  });
}

function useDirectoryMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation<O, ApiError, I>({
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.administrations() }),
  });
}

export const useCreateAdministration = () => useDirectoryMutation(administrationsApi.create);
export const useUpdateAdministration = () =>
  useDirectoryMutation(({ id, input }: { id: string; input: Parameters<typeof administrationsApi.update>[1] }) =>
    administrationsApi.update(id, input),
  );
export const useRemoveAdministration = () => useDirectoryMutation(administrationsApi.remove);
