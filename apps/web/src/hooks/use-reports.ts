import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { reportsApi, type ReportDtos, type ReportFilters, type ReportKind } from '../api/reports';

/** One report of the period; the previous period's figures stay on screen while the next load. */
export function useReport<K extends ReportKind>(kind: K, filters: ReportFilters) {
  return useQuery<ReportDtos[K], ApiError>({
    queryKey: queryKeys.report(kind, filters),
    queryFn: ({ signal }) => reportsApi.get(kind, filters, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
