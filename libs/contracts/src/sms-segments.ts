/**
 * SMS segment calculator for the composer: GSM-7 (basic table + extension table, escape
 * characters count twice) versus UCS-2 as soon as one character is outside GSM-7. A single SMS
 * holds 160 GSM-7 / 70 UCS-2 units; a concatenated one 153 / 67 per segment (the user data
 * header takes the rest).
 */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(Array.from(GSM7_BASIC));
const EXTENSION = new Set(Array.from(GSM7_EXTENSION));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Units used: GSM-7 septets (extension characters count 2) or UTF-16 code units. */
  units: number;
  segments: number;
  /** Units per segment for this message (160/153 or 70/67). */
  perSegment: number;
  /** Units left in the current (last) segment before another one starts. */
  charactersLeft: number;
  /** Characters that forced UCS-2, for the composer to point at (empty in GSM-7). */
  nonGsmCharacters: string[];
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENSION.has(ch)) return false;
  return true;
}

export function smsSegments(text: string): SmsSegments {
  const nonGsm = new Set<string>();
  let septets = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENSION.has(ch)) septets += 2;
    else nonGsm.add(ch);
  }
  const gsm = nonGsm.size === 0;
  // UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
  const units = gsm ? septets : text.length;
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  if (units <= single) {
    return {
      encoding: gsm ? 'GSM-7' : 'UCS-2',
      units,
      segments: units === 0 ? 0 : 1,
      perSegment: single,
      charactersLeft: single - units,
      nonGsmCharacters: [...nonGsm],
    };
  }
  let segments: number;
  if (gsm) {
    // An escape pair never straddles two segments: a segment ends early rather than split it.
    segments = 1;
    let used = 0;
    for (const ch of text) {
      const w = EXTENSION.has(ch) ? 2 : 1;
      if (used + w > multi) {
        segments += 1;
        used = 0;
      }
      used += w;
    }
    return { encoding: 'GSM-7', units, segments, perSegment: multi, charactersLeft: multi - used, nonGsmCharacters: [] };
  }
  // Likewise a surrogate pair stays in one segment.
  segments = 1;
  let used = 0;
  for (const ch of text) {
    const w = ch.length;
    if (used + w > multi) {
      segments += 1;
      used = 0;
    }
    used += w;
  }
  return { encoding: 'UCS-2', units, segments, perSegment: multi, charactersLeft: multi - used, nonGsmCharacters: [...nonGsm] };
}
