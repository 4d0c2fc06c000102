import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse } from 'node:querystring';

/** Posted fields (a repeated field is an array). */
export type TwilioParams = Record<string, string | string[] | undefined>;

/** The fields of a form-encoded webhook body (every one of them: the signature covers them all). */
export function parseTwilioForm(raw: Buffer | string): TwilioParams {
  return parse(typeof raw === 'string' ? raw : raw.toString('utf8'), '&', '=', { maxKeys: 0 });
}

/**
 * Twilio's request signature: base64 HMAC-SHA1, keyed with the account's auth token, over the
 * exact public URL Twilio called (query string included) followed by every posted field sorted
 * by name, each as name + value.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  const hmac = createHmac('sha1', authToken).update(Buffer.from(url, 'utf8'));
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) hmac.update(Buffer.from(key + v, 'utf8'));
  }
  return hmac.digest('base64');
}

/** Constant-time check of `X-Twilio-Signature`; a missing header or token is a refusal. */
export function verifyTwilioSignature(
  authToken: string | undefined,
  signature: string | undefined,
  url: string,
  params: TwilioParams = {},
): boolean {
  if (!authToken || !signature) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
