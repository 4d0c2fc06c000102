import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `fn` until it stops throwing (or returns a truthy value when `truthy` is set),
 * instead of sleeping a guessed time. The last error is rethrown at the deadline.
 */
export async function expectEventually<T>(
  fn: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  let lastError: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw lastError;
    await sleep(opts.intervalMs ?? 25);
  }
}
