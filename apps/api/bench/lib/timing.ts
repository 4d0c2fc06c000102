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

/**
 * Open loop: starts `task(i)` for i in [0, count) at `i * spacingMs` after the first, without
 * waiting for earlier ones (a steady arrival rate, as webhooks arrive), with at most `maxInFlight`
 * running. Answers how late the starts were behind schedule (ms) once every task has settled.
 */
export async function runAtRate(
  count: number,
  spacingMs: number,
  maxInFlight: number,
  deadlineMs: number,
  task: (i: number) => Promise<void>,
): Promise<number[]> {
  const start = nowMs();
  const lateness: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for (let i = 0; i < count && failure === null; i++) {
    const due = start + i * spacingMs;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= maxInFlight && failure === null) await Promise.race(inFlight);
    if (nowMs() - start > deadlineMs) throw new DeadlineError(`stopped after ${deadlineMs} ms with ${i}/${count} started`);
    lateness.push(nowMs() - due);
    const p: Promise<void> = task(i).then(
      () => void inFlight.delete(p),
      (e: unknown) => {
        inFlight.delete(p);
        failure ??= e;
      },
    );
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  return lateness;
}
