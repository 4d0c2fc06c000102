import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: what Meta sends in X-Hub-Signature-256 for a body and an app secret. */
export function signMetaPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Checks X-Hub-Signature-256 against the EXACT bytes received (never a re-serialized body),
 * in constant time. A missing header, another algorithm or a malformed digest is a refusal.
 */
export function verifyMetaSignature(
  rawBody: Buffer | string | undefined,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (rawBody === undefined || !appSecret || typeof header !== 'string') return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
