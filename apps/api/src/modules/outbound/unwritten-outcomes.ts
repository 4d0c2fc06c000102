import type { SendResult } from '@guichet/channels';

/** How many unwritten outcomes one instance keeps at most (a database away for long under heavy sending). */
export const UNWRITTEN_OUTCOMES_MAX = 1_000;

/**
 * Outcomes a provider gave that could not be written (the database away past the worker's
 * patience), by message id, for this instance's next run of the message (which writes it instead
 * of asking the provider or sending again). Bounded: an entry goes once its message's outcome is
 * written or settled by any run of this instance, and past `max` entries the oldest goes (its
 * message is then settled like any interrupted attempt: asked, resent with its Message-ID, or left
 * to an agent).
 */
export class UnwrittenOutcomes {
  private readonly outcomes = new Map<string, SendResult>();

  constructor(private readonly max = UNWRITTEN_OUTCOMES_MAX) {}

  get size(): number {
    return this.outcomes.size;
  }

  keep(messageId: string, outcome: SendResult): void {
    this.outcomes.delete(messageId);
    this.outcomes.set(messageId, outcome);
    // A Map iterates in insertion order: the first keys are the oldest.
    for (const oldest of this.outcomes.keys()) {
      if (this.outcomes.size <= this.max) break;
      this.outcomes.delete(oldest);
    }
  }

  /** The outcome kept for this message, removed (the caller writes it). */
  take(messageId: string): SendResult | undefined {
    const outcome = this.outcomes.get(messageId);
    this.outcomes.delete(messageId);
    return outcome;
  }

  /** The message's outcome was written, or the message settled otherwise: nothing to keep. */
  forget(messageId: string): void {
    this.outcomes.delete(messageId);
  }
}
