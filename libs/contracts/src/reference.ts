/** Crockford-like alphabet without 0/O, 1/I/L, U: easy to read aloud and to type from a letter. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERENCE_PATTERN = /\bGU-([2-9A-HJKMNP-TV-Z]{6})\b/;

export function isReference(value: string): boolean {
  return new RegExp(`^${REFERENCE_PATTERN.source}$`).test(value);
}

/** Finds a `[GU-XXXXXX]` or bare `GU-XXXXXX` reference in free text (an email subject). */
export function findReference(text: string): string | null {
  const m = REFERENCE_PATTERN.exec(text.toUpperCase());
  return m ? `GU-${m[1]}` : null;
}

/** Formats 6 random bytes as a reference; the caller supplies the randomness (crypto in Node). */
export function formatReference(random: Uint8Array): string {
  if (random.length < 6) throw new Error('formatReference needs 6 random bytes');
  let out = 'GU-';
  for (let i = 0; i < 6; i++) out += REFERENCE_ALPHABET[random[i]! % REFERENCE_ALPHABET.length];
  return out;
}
