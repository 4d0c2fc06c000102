import type {
  AuditPageDto,
  ContactErasureDto,
  PutRetentionRulesInput,
  RetentionRunResult,
  RetentionSettingsDto,
} from '@guichet/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { privacyApi, retentionApi, type AuditFilters } from '../api/privacy';
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
