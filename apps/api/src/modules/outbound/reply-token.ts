import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A token that proves an answer belongs to one conversation, for the email plus-address
 * (`mairie+<token>@ville.fr`): the conversation id in lower-case hex (mail servers may fold
 * case) and 12 bytes of HMAC. 56 characters, within the 64 a local part allows.
 */
const SIG_BYTES = 12;

function sign(appSecret: string, idHex: string): string {
  return createHmac('sha256', appSecret).update(`reply:${idHex}`).digest().subarray(0, SIG_BYTES).toString('hex');
}

export function replyToken(appSecret: string, conversationId: string): string {
  const idHex = conversationId.replace(/-/g, '').toLowerCase();
  return `${idHex}${sign(appSecret, idHex)}`;
}

/** The conversation id a token proves, or null for a forged or altered token. */
export function verifyReplyToken(appSecret: string, token: string): string | null {
  const t = token.toLowerCase();
  if (!/^[0-9a-f]{56}$/.test(t)) return null;
  const idHex = t.slice(0, 32);
  const given = Buffer.from(t.slice(32), 'hex');
  const expected = Buffer.from(sign(appSecret, idHex), 'hex');
  if (!timingSafeEqual(given, expected)) return null;
  return `${idHex.slice(0, 8)}-${idHex.slice(8, 12)}-${idHex.slice(12, 16)}-${idHex.slice(16, 20)}-${idHex.slice(20)}`;
}
