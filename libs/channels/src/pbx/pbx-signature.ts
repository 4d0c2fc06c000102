import { createHmac, timingSafeEqual } from 'node:crypto';

/** `X-Guichet-Signature` of a switchboard event: hex HMAC-SHA256 of the raw body with the shared secret. */
export function pbxSignature(sharedSecret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', sharedSecret).update(rawBody).digest('hex');
}

/** Constant-time check; accepts an optional `sha256=` prefix. */
export function verifyPbxSignature(
  sharedSecret: string | undefined,
  signature: string | undefined,
  rawBody: Buffer | undefined,
): boolean {
  if (!sharedSecret || !signature || !rawBody) return false;
  const given = signature
    .trim()
    .replace(/^sha256=/i, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(pbxSignature(sharedSecret, rawBody), 'hex'));
}
