import type { Pool } from 'pg';

/**
 * What the app's server processes wait for while a measured stretch runs: pg_stat_activity read
 * every `everyMs` (one cheap query from the bench's own pool), each active backend of
 * `applicationName` counted under its wait (`Lock:tuple`, `IO:WalSync`, … or `running` when it
 * waits for nothing: it is on a CPU or in its queue). A share of samples, not a duration: enough
 * to tell a group that waits for a lock from one that waits for the WAL or for the CPU.
 */
export class WaitSampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly db: Pool,
    private readonly applicationName = 'guichet',
    private readonly everyMs = 10,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const { rows } = await this.db.query<{ wait: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'running') AS wait
             FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
          [this.applicationName],
        );
        this.samples++;
        for (const r of rows) this.counts.set(r.wait, (this.counts.get(r.wait) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, this.everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** « 412 samples: running 35, IO:WalSync 20, Lock:tuple 3 » — active backends seen, by wait, most seen first. */
  describe(): string {
    const by = [...this.counts].sort((a, b) => b[1] - a[1]);
    return `${this.samples} samples: ${by.length ? by.map(([w, n]) => `${w} ${n}`).join(', ') : 'no active backend seen'}`;
  }

  /** Active backends seen waiting for a heavyweight lock (row, transaction, relation), in all samples. */
  get lockWaits(): number {
    return [...this.counts].filter(([w]) => w.startsWith('Lock:')).reduce((s, [, n]) => s + n, 0);
  }
}
