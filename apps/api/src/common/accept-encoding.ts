export type ContentEncoding = 'br' | 'gzip';

/**
 * The encoding to send among `available` (in the server's order of preference): the one the
 * client's Accept-Encoding rates highest, the server's order breaking ties (browsers list gzip
 * before br; brotli is smaller). Null: send it as it is. No header at all means no encoding.
 */
export function preferredEncoding(header: string | undefined, available: readonly ContentEncoding[]): ContentEncoding | null {
  if (!header) return null;
  const rated = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    rated.set(token, q === undefined ? 1 : Number(q) || 0);
  }
  let best: ContentEncoding | null = null;
  let bestQ = 0;
  for (const encoding of available) {
    const q = rated.get(encoding) ?? rated.get('*') ?? 0;
    if (q > bestQ) [best, bestQ] = [encoding, q];
  }
  return best;
}
