import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A token that proves an answer belongs to one conversation, for the email plus-address
 * (`etat-civil+<token>@ville.fr`): the conversation id and 6 bytes of HMAC, in lower-case
 * base32 (mail servers may fold case). 36 characters, so the local part stays within 64.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SIG_BYTES = 6;
const TOKEN_CHARS = Math.ceil(((16 + SIG_BYTES) * 8) / 5);

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | null {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const sign = (appSecret: string, id: Buffer) =>
  createHmac('sha256', appSecret).update('reply:').update(id).digest().subarray(0, SIG_BYTES);

export function replyToken(appSecret: string, conversationId: string): string {
  const id = Buffer.from(conversationId.replace(/-/g, ''), 'hex');
  return base32(Buffer.concat([id, sign(appSecret, id)]));
}

/** The conversation id a token proves, or null for a forged or altered token. */
export function verifyReplyToken(appSecret: string, token: string): string | null {
  const raw = token.length === TOKEN_CHARS ? unbase32(token.toLowerCase()) : null;
  if (!raw || raw.length !== 16 + SIG_BYTES) return null;
  const id = raw.subarray(0, 16);
  if (!timingSafeEqual(raw.subarray(16), sign(appSecret, id))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
