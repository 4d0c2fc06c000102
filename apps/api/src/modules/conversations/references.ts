import { randomBytes } from 'node:crypto';
import { formatReference } from '@guichet/contracts';

/** Random bytes drawn 4 KiB at a time: one call to the system's generator serves many references. */
let entropy = Buffer.alloc(0);

/**
 * The one way public references of conversations are drawn: 6 random bytes each, formatted by
 * libs/contracts. `n` candidates: a writer tries the next when one is taken (unique constraint).
 */
export function drawReferences(n = 3): string[] {
  const size = 6 * n;
  if (entropy.length < size) entropy = randomBytes(Math.max(4096, size));
  const bytes = entropy.subarray(0, size);
  entropy = entropy.subarray(size);
  return Array.from({ length: n }, (_, i) => formatReference(bytes.subarray(i * 6, i * 6 + 6)));
}

/** One new public reference. */
export const drawReference = (): string => drawReferences(1)[0]!;
