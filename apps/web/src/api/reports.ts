import type {
  AgentsReportDto,
  ChannelKind,
  ResponseTimesReportDto,
  SatisfactionReportDto,
  TelephoneReportDto,
  VolumesReportDto,
} from '@guichet/contracts';
import { apiRequest, type QueryParams } from './client';

/** The filters of the reports page, as the API takes them (no granularity: the API fits it to the period). */
export interface ReportFilters {
  from: string;
  to: string;
  teamId?: string;
  channel?: ChannelKind | 'unknown';
  requestTypeId?: string;
  labelId?: string;
}

export type ReportKind = 'volumes' | 'response-times' | 'telephone' | 'satisfaction' | 'agents';

export interface ReportDtos {
  volumes: VolumesReportDto;
  'response-times': ResponseTimesReportDto;
  telephone: TelephoneReportDto;
  satisfaction: SatisfactionReportDto;
  agents: AgentsReportDto;
}

const params = (f: ReportFilters): QueryParams => ({
  from: f.from,
  to: f.to,
  teamId: f.teamId,
  channel: f.channel,
  requestTypeId: f.requestTypeId,
  labelId: f.labelId,
});

export const reportsApi = {
  get<K extends ReportKind>(kind: K, filters: ReportFilters, signal?: AbortSignal): Promise<ReportDtos[K]> {
    return apiRequest<ReportDtos[K]>(`/reports/${kind}`, { query: params(filters), signal });
  },
  /** The path (under /api/v1) of an export: one table as CSV, or every table as an XLSX workbook. */
  exportPath(kind: ReportKind, filters: ReportFilters, format: 'csv' | 'xlsx', table?: string): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...params(filters), format, table }))
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    return `/reports/${kind}?${q.toString()}`;
  },
  /** The open-data indicators of a year (Services Publics+), CSV or JSON. */
  indicatorsPath(year: number, format: 'csv' | 'json', quarter?: number): string {
    return `/reports/indicators?year=${year}${quarter ? `&quarter=${quarter}` : ''}&format=${format}`;
  },
};
