import type {
  ChannelDto,
  ChannelTestDto,
  CreateChannelInput,
  MailboxEventDto,
  QuarantineDto,
  TestChannelInput,
  UpdateChannelInput,
} from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { channelsAdminApi } from '../api/channels-admin';
import { queryKeys } from '../api/query-keys';

export function useAdminChannels() {
  return useQuery<ChannelDto[], ApiError>({
    queryKey: queryKeys.admin.channels(),
    queryFn: ({ signal }) => channelsAdminApi.list(signal),
  });
}

/** The mailbox's quarantine, read again each time the channel's editor opens (no socket event tells of it). */
export function useChannelQuarantine(id: string) {
  return useQuery<QuarantineDto[], ApiError>({
    queryKey: [...queryKeys.admin.channels(), id, 'quarantine'],
    queryFn: ({ signal }) => channelsAdminApi.quarantine(id, signal),
    staleTime: 0,
  });
}

export function useChannelActivity(id: string) {
  return useQuery<MailboxEventDto[], ApiError>({
    queryKey: [...queryKeys.admin.channels(), id, 'activity'],
    queryFn: ({ signal }) => channelsAdminApi.activity(id, signal),
    staleTime: 0,
  });
}

/** A saved or retried channel refreshes the list and what depends on connected channels (the composer's kinds). */
function useChannelMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation<O, ApiError, I>({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.admin.channels() });
      void client.invalidateQueries({ queryKey: queryKeys.channelKinds() });
    },
  });
}

export const useSaveChannel = () =>
  useChannelMutation((input: { id: string; body: UpdateChannelInput } | { id?: undefined; body: CreateChannelInput }) =>
    input.id !== undefined ? channelsAdminApi.update(input.id, input.body) : channelsAdminApi.create(input.body),
  );
export const useRetryQuarantined = () =>
  useChannelMutation(({ id, quarantineId }: { id: string; quarantineId: string }) => channelsAdminApi.retry(id, quarantineId));
export const useDiscardQuarantined = () =>
  useChannelMutation(({ id, quarantineId }: { id: string; quarantineId: string }) => channelsAdminApi.discard(id, quarantineId));
export const useTestChannel = () =>
  useMutation<ChannelTestDto, ApiError, TestChannelInput>({ mutationFn: channelsAdminApi.test });
