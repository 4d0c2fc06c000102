import type {
  AuditPageDto,
  ContactErasureDto,
  ConversationPrivacyDto,
  PutRetentionRulesInput,
  RetentionRunResult,
  RetentionSettingsDto,
} from '@guichet/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { privacyApi, retentionApi, rightsApi, type AuditFilters } from '../api/privacy';
import { queryKeys } from '../api/query-keys';

/** The audit log, newest first, page after page (« Afficher plus »). */
export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery<AuditPageDto, ApiError>({
    queryKey: queryKeys.admin.audit(filters),
    queryFn: ({ pageParam, signal }) => privacyApi.audit(filters, pageParam as string | null, signal),
    initialPageParam: null,
    getNextPageParam: (last) => last.next,
  });
}

export function useExportContact(contactId: string) {
  return useMutation<void, ApiError>({ mutationFn: () => privacyApi.exportContact(contactId) });
}

export function useAnonymizeContact(contactId: string) {
  const queryClient = useQueryClient();
  return useMutation<ContactErasureDto, ApiError>({
    mutationFn: () => privacyApi.anonymizeContact(contactId),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
}

export function useRetention() {
  return useQuery<RetentionSettingsDto, ApiError>({
    queryKey: queryKeys.admin.retention(),
    queryFn: ({ signal }) => retentionApi.get(signal),
  });
}

export function useSaveRetention() {
  const queryClient = useQueryClient();
  return useMutation<RetentionSettingsDto, ApiError, PutRetentionRulesInput>({
    mutationFn: (input) => retentionApi.put(input),
    onSuccess: (data) => queryClient.setQueryData(queryKeys.admin.retention(), data),
  });
}

export function useRunRetention() {
  return useMutation<RetentionRunResult, ApiError>({ mutationFn: () => retentionApi.run() });
}

/** A conversation's rights request, legal hold and anonymization (issue 16). */
export function useConversationPrivacy(conversationId: string) {
  return useQuery<ConversationPrivacyDto, ApiError>({
    queryKey: queryKeys.conversationPrivacy(conversationId),
    queryFn: ({ signal }) => rightsApi.get(conversationId, signal),
  });
}

/**
 * One of the RGPD actions on a conversation (rights request, extension, export sent, legal hold,
 * name rectified): a reply may have been sent and names shown may change, so everything refetches.
 */
export function usePrivacyAction<V>(action: (v: V) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation<unknown, ApiError, V>({
    mutationFn: action,
    onSuccess: () => void queryClient.invalidateQueries(),
  });
}
