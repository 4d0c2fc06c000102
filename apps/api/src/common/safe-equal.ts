import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of two strings by their UTF-8 bytes. Strings of the same length in
 * characters may differ in bytes (`é` is two): different byte lengths are unequal, where
 * timingSafeEqual would throw.
 */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
