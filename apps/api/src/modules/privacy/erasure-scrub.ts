/**
 * What identifies a citizen outside their own file, as patterns: their e-mail addresses, their
 * phone numbers as people write them (+33 6 12 34 56 78, 06.12.34.56.78, 0033…, %2B33… in a
 * provider's form-encoded webhook) and their name. The same patterns serve PostgreSQL (ARE, with
 * lookbehind) and JavaScript (raw e-mail copies in the blob store).
 */

/** What replaces a removed address, number or name in a text Guichet keeps. */
export const ERASED = '[effacé]';
/** The same in a raw e-mail copy (bytes read as latin1: ASCII only). */
export const ERASED_RAW = '[efface]';

export interface CitizenTerms {
  emails: string[];
  phones: string[];
  /** Full names (two words at least: a first name alone would blank every homonym). */
  names: string[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An e-mail address, case aside, not inside a longer one. */
export function emailPattern(email: string): string {
  return `(?<![A-Za-z0-9._%+-])${escapeRegex(email)}(?![A-Za-z0-9-])`;
}

/**
 * A phone number (E.164 as identities hold it) in the ways it is written: an optional separator
 * (space, dot, dash) between digits; for a French number the national form (0…) and the
 * international ones (+33, 0033, 33, %2B33, +33 (0)…). Never inside a longer run of digits.
 */
export function phonePattern(e164: string): string | null {
  const digits = e164.replace(/\D/g, '');
  if (digits.length < 8) return null;
  const sep = '[\\s.-]?';
  const spaced = (d: string) => d.split('').join(sep);
  let body: string;
  if (digits.startsWith('33') && digits.length === 11) {
    const rest = spaced(digits.slice(2));
    body = `(?:(?:\\+|%2B|00)?33${sep}(?:\\(0\\)${sep})?|0)${rest}`;
  } else {
    body = `(?:\\+|%2B|00)?${spaced(digits)}`;
  }
  return `(?<![0-9])${body}(?![0-9])`;
}

/** A full name as a whole (word boundaries), spacing aside. */
export function namePattern(name: string): string | null {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2 || name.trim().length < 5) return null;
  return `(?<![\\w])${words.map(escapeRegex).join('\\s+')}(?![\\w])`;
}

/** One alternation of the patterns (null: nothing to look for). */
export function alternation(patterns: (string | null)[]): string | null {
  const p = patterns.filter((x): x is string => !!x);
  return p.length ? p.map((x) => `(?:${x})`).join('|') : null;
}

export function contactPatterns(t: CitizenTerms): { reach: string | null; all: string | null } {
  const reach = alternation([...t.emails.map(emailPattern), ...t.phones.map(phonePattern)]);
  return { reach, all: alternation([reach, ...t.names.map(namePattern)]) };
}

/**
 * A raw e-mail copy that names one of the citizen's addresses or numbers, with those and their
 * name (beside the address, in a Cc header) replaced; bytes read as latin1, so every other byte
 * stays as it was. Null when it names none of their addresses or numbers (a homonym's mail is left).
 */
export function scrubRaw(raw: Uint8Array, reach: string, all: string | null): Buffer | null {
  const text = Buffer.from(raw).toString('latin1');
  if (!new RegExp(reach, 'i').test(text)) return null;
  return Buffer.from(text.replace(new RegExp(all ?? reach, 'gi'), ERASED_RAW), 'latin1');
}
