import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** Monotonic clock in milliseconds (CLOCK_MONOTONIC: comparable across processes of one machine). */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class DeadlineError extends Error {}

/** Rejects when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what}: no answer after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `task(i)` for every i in [0, count) on `concurrency` workers that pull the next index.
 * Stops with an error once `deadlineMs` has passed. Answers the elapsed wall time.
 */
export async function runPool(
  count: number,
  concurrency: number,
  deadlineMs: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  const start = nowMs();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (nowMs() - start > deadlineMs) throw new DeadlineError(`stopped after ${deadlineMs} ms with ${next}/${count} done`);
      await task(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return nowMs() - start;
}

/**
 * Runs `task(i)` for i in [0, count) one at a time, starting each no earlier than
 * `i * spacingMs` after the first (a slow task delays the next one, never overlaps it).
 */
export async function runPaced(
  count: number,
  spacingMs: number,
  deadlineMs: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    const wait = start + i * spacingMs - nowMs();
    if (wait > 0) await sleep(wait);
    if (nowMs() - start > deadlineMs) throw new DeadlineError(`stopped after ${deadlineMs} ms with ${i}/${count} done`);
    await task(i);
  }
}

/** [0, total) cut into `rounds` consecutive ranges, for alternating two measurements. */
export function rounds(total: number, count: number): { from: number; count: number }[] {
  return Array.from({ length: count }, (_, r) => {
    const from = Math.floor((r * total) / count);
    return { from, count: Math.floor(((r + 1) * total) / count) - from };
  }).filter((x) => x.count > 0);
}
