/**
 * What PostgreSQL cannot store: U+0000 in `text` and `jsonb`, and lone UTF-16 surrogates in
 * `jsonb` (a `text` value would silently get U+FFFD from the UTF-8 encoder). Anyone can send
 * both — a form field, a header, a URL path, a signed webhook — so they are cleaned where
 * values reach the database, never rejected: NULs are removed, lone surrogates become U+FFFD.
 */
export function pgText(s: string): string {
  const wellFormed = s.isWellFormed() ? s : s.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '') : wellFormed;
}

/**
 * `value` with every string in it cleaned by pgText, in arrays and plain objects at any depth
 * (keys included). Anything else (Buffer, Date, numbers…) is returned as it is.
 */
export function pgClean<T>(value: T): T {
  if (typeof value === 'string') return pgText(value) as T;
  if (value !== null && typeof value === 'object' && isCleanJson(value)) return value;
  return cleanDeep(value);
}

/**
 * What needs cleaning, as the native JSON.stringify writes it: NUL and lone surrogates become
 * `\u0000` and `\udXXX` escapes, and nothing else does (a backslash typed before "u0000" gives
 * `\\u0000`: a false alarm that only costs the walk). Most values are clean, and serializing
 * them is several times faster than walking them.
 */
const NEEDS_CLEANING = /\\u(?:0000|d[89a-f])/;

function isCleanJson(value: object): boolean {
  try {
    return !NEEDS_CLEANING.test(JSON.stringify(value, withoutBinary));
  } catch {
    return false; // a BigInt, a cycle: the walk returns such values as they are
  }
}

/**
 * Bytes (an e-mail's attachment: a Uint8Array or a Buffer) are no text and are never cleaned:
 * left out of the check, which would otherwise write each byte as a number (a 10 MB attachment
 * took seconds, every byte a `"i":n` pair). `this[key]` is the value before its toJSON.
 */
function withoutBinary(this: Record<string, unknown>, key: string, value: unknown): unknown {
  return ArrayBuffer.isView(this[key]) ? undefined : value;
}

function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return pgText(value) as T;
  if (Array.isArray(value)) return value.map(cleanDeep) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), cleanDeep(v)])) as T;
  }
  return value;
}

/** The JSON text of `value` for a `jsonb` parameter: cleaned before it is serialized. */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  return NEEDS_CLEANING.test(json) ? JSON.stringify(cleanDeep(value)) : json;
}
