/** Crockford-like alphabet without 0/O, 1/I/L, U: easy to read aloud and to type from a letter. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE = '[2-9A-HJKMNP-TV-Z]{6}';
export const REFERENCE_PATTERN = new RegExp(`\\bGU-(${CODE})\\b`);

export function isReference(value: string): boolean {
  return new RegExp(`^${REFERENCE_PATTERN.source}$`).test(value);
}

/** Finds a `[GU-XXXXXX]` or bare `GU-XXXXXX` reference in free text (an email subject). */
export function findReference(text: string): string | null {
  const m = REFERENCE_PATTERN.exec(text.toUpperCase());
  return m ? `GU-${m[1]}` : null;
}

/** A whole search text that is a reference, typed loosely: any case, dash or space or nothing, brackets. */
const TYPED_REFERENCE = new RegExp(`^[\\s[(#]*GU[\\s-]?(${CODE})[\\s\\])]*$`);

/**
 * The reference a person typed in a search box: one quoted anywhere (`dossier GU-7K3M9Q`), or the
 * whole text as a reference typed loosely (`gu7k3m9q`, `GU 7K3M9Q`, `[gu-7k3m9q]`).
 */
export function referenceSearched(text: string): string | null {
  const m = TYPED_REFERENCE.exec(text.toUpperCase());
  return m ? `GU-${m[1]}` : findReference(text);
}

/** Formats 6 random bytes as a reference; the caller supplies the randomness (crypto in Node). */
export function formatReference(random: Uint8Array): string {
  if (random.length < 6) throw new Error('formatReference needs 6 random bytes');
  let out = 'GU-';
  for (let i = 0; i < 6; i++) out += REFERENCE_ALPHABET[random[i]! % REFERENCE_ALPHABET.length];
  return out;
}
