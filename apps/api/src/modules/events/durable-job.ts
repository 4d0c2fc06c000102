import type { DomainEvent } from './domain-events';

/**
 * One durable listener's job: the events of one write (or of one relay batch of the ingest's
 * outbox) it waits for, in order. `event` is the shape of jobs enqueued before batches.
 */
export interface DurableJob {
  listener: string;
  events?: DomainEvent[];
  event?: DomainEvent;
}

/** Chains of one listener running at once, unless it says fewer (ListenerOptions.chains). */
export const CHAINS_PER_LISTENER = 2;

/**
 * The ordering keys of a durable job (job-chains.ts): one per conversation its events are about,
 * with its listener. Two jobs of one listener about one conversation run one after the other, in
 * queue order; jobs of other listeners, or about other conversations, may run beside them. A job
 * about no conversation (a registration's) has no key: it waits for nothing.
 */
export function durableJobKeys(job: DurableJob): string[] {
  const events = job.events ?? (job.event ? [job.event] : []);
  const keys = new Set<string>();
  for (const e of events) if (e.conversationId) keys.add(`${job.listener}\u0000${e.conversationId}`);
  return [...keys];
}
