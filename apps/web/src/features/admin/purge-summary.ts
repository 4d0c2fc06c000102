import type { TFunction } from 'i18next';

/** What a retention run removed, as counts (an absent count is 0). */
export interface PurgeCounts {
  anonymized?: number;
  deleted?: number;
  contacts?: number;
  registrations?: number;
  events?: number;
  quarantined?: number;
  reports?: number;
}

const ORDER = ['anonymized', 'deleted', 'contacts', 'registrations', 'events', 'quarantined', 'reports'] as const;

/**
 * « 3 demandes anonymisées, 1 usager anonymisé et 2 courriels en quarantaine supprimés »: only
 * what the run did, each part agreeing with its own count; null when it did nothing.
 */
export function purgeSummary(t: TFunction, language: string, counts: PurgeCounts): string | null {
  const parts = ORDER.filter((k) => (counts[k] ?? 0) > 0).map((k) => t(`purgeParts.${k}`, { count: counts[k]! }));
  return parts.length ? new Intl.ListFormat(language, { type: 'conjunction' }).format(parts) : null;
}
