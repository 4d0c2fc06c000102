import { createHmac } from 'node:crypto';
import { safeEqual } from './safe-equal';

/**
 * A link to one file that works without a session until it expires, for a provider that fetches
 * media itself (Twilio's MediaUrl): an HMAC of the attachment id and the expiry, nothing stored.
 */
export function mediaSignature(appSecret: string, attachmentId: string, expires: number): string {
  return createHmac('sha256', appSecret).update(`media:${attachmentId}:${expires}`).digest('base64url').slice(0, 32);
}

/** The public path of an attachment, valid `ttlSeconds` from `now`. */
export function signedMediaPath(appSecret: string, attachmentId: string, ttlSeconds: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  return `/api/v1/public/media/${attachmentId}?expires=${expires}&sig=${mediaSignature(appSecret, attachmentId, expires)}`;
}

export function checkMediaSignature(
  appSecret: string,
  attachmentId: string,
  expires: unknown,
  sig: unknown,
  now = Date.now(),
): boolean {
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof sig !== 'string') return false;
  const at = Number(expires);
  return at * 1000 > now && safeEqual(mediaSignature(appSecret, attachmentId, at), sig);
}

/**
 * A link's proof of access to one record, without a session and without storage: an HMAC of the
 * purpose and the record's id (a registration's view-or-cancel link, say). Never expires: the
 * record's own state says what the link may still do.
 */
export function recordSignature(appSecret: string, purpose: string, id: string): string {
  return createHmac('sha256', appSecret).update(`${purpose}:${id}`).digest('base64url').slice(0, 32);
}

export function checkRecordSignature(appSecret: string, purpose: string, id: string, token: unknown): boolean {
  return typeof token === 'string' && safeEqual(recordSignature(appSecret, purpose, id), token);
}
