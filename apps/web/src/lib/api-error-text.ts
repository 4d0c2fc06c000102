import type { TFunction } from 'i18next';
import { isApiError } from '../api/client';

/** What a failed call says to the person, in their words: the API's French reason and its details. */
export function apiErrorText(t: TFunction, error: unknown): string {
  if (!isApiError(error)) return t('errors.generic');
  if (error.isNetworkError) return t('errors.network');
  const details = error.body.details?.map((d) => d.replace(/^[\w.]+: /, '')) ?? [];
  const message = error.body.message === 'requête invalide' && details.length ? details.join(' ; ') : error.body.message;
  const text = details.length && message !== details.join(' ; ') ? `${message} : ${details.join(' ; ')}` : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
