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
  if (Array.isArray(value)) return value.map(pgClean) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), pgClean(v)])) as T;
  }
  return value;
}

/** The JSON text of `value` for a `jsonb` parameter: cleaned before it is serialized. */
export function pgJson(value: unknown): string {
  return JSON.stringify(pgClean(value));
}
