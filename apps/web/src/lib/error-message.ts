import type { TFunction } from 'i18next';
import type { ApiError } from '../api/client';

/** What to tell the agent when the server was not reached: offline (nothing sent), no answer, or unreachable. */
export function networkMessage(t: TFunction, e: ApiError): string {
  if (e.isOffline) return t('errors.offline');
  if (e.body.error === 'Timeout') return t('errors.timeout');
  return t('errors.network');
}
