import { Metrics } from '../../src/infra/metrics/metrics';
import type { BenchEnv } from './env';
import { count } from './stats';

type Sizes = Awaited<ReturnType<Metrics['ingestBatchSizes']>>;

/**
 * The ingest's group commit between two readings of the app's batch-size histogram: how many
 * transactions, messages per transaction, and the share of transactions up to each size.
 */
export class BatchSizes {
  private before: Sizes | null = null;
  private measured: Sizes = { batches: 0, messages: 0, atMost: [] };

  constructor(private readonly env: BenchEnv) {}

  private read(): Promise<Sizes> {
    return this.env.app.app.get(Metrics).ingestBatchSizes();
  }

  async start(): Promise<void> {
    this.before = await this.read();
  }

  /** Adds what came since start() (calls may alternate with a baseline's). */
  async stop(): Promise<void> {
    const after = await this.read();
    const before = this.before!;
    const at = (s: Sizes, le: number) => s.atMost.find(([l]) => l === le)?.[1] ?? 0;
    this.measured = {
      batches: this.measured.batches + after.batches - before.batches,
      messages: this.measured.messages + after.messages - before.messages,
      atMost: after.atMost.map(([le, n]) => [le, at(this.measured, le) + n - at(before, le)]),
    };
  }

  get mean(): number {
    return this.measured.messages / this.measured.batches;
  }

  /** A line for the bench's notes. */
  describe(what: string): string {
    const m = this.measured;
    const shares = m.atMost
      .filter(([le]) => [1, 2, 4, 8, 16, 50].includes(le))
      .map(([le, n]) => `≤${le}: ${((n / m.batches) * 100).toFixed(0)} %`)
      .join(', ');
    return `group commit during ${what}: ${count(m.batches)} transactions for ${count(m.messages)} messages, ${this.mean.toFixed(2)} per transaction; transactions with ${shares}`;
  }
}
