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
