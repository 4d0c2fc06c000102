import { createHmac } from 'node:crypto';
import { safeEqual } from '../../common/safe-equal';

/** The citizen's proof of access to one request: an HMAC of its id, nothing stored. */
export function trackingToken(appSecret: string, conversationId: string): string {
  return createHmac('sha256', appSecret).update(`tracking:${conversationId}`).digest('base64url').slice(0, 32);
}

export function checkTrackingToken(appSecret: string, conversationId: string, token: unknown): boolean {
  return typeof token === 'string' && safeEqual(trackingToken(appSecret, conversationId), token);
}
