interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Batches running at once (each holds one database connection). */
  parallel: number;
  /** Items per batch at most. */
  maxBatch: number;
}

/**
 * Group commit: callers submit items one at a time and each gets its own result, but at most
 * `parallel` batches run at once and whatever arrives meanwhile goes out together in the next
 * batch. A lone caller is never delayed (its batch starts at once); under load, one transaction
 * and one round trip serve many callers.
 *
 * When a batch fails as a whole, its items are run again one by one: the item at fault fails
 * alone and the others still commit.
 */
export class GroupCommit<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private running = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.parallel && this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const p of batch) {
        try {
          p.resolve((await this.run([p.item]))[0]!);
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }
}
