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
  /** Called when the last batch has ended and nothing waits. */
  onIdle?: () => void;
}

/**
 * Group commit: callers submit items one at a time and each gets its own result, but at most
 * `parallel` batches run at once and whatever arrives meanwhile goes out together in the next
 * batch. A batch starts at the end of the event-loop turn in which a slot is free, so the items
 * submitted in that turn (the callers a finished batch has just answered, the requests read
 * from one poll of the sockets) travel together; a lone caller waits for nothing else. Under
 * load, one transaction and one round trip serve many callers.
 *
 * When a batch fails as a whole, its items are run again one by one: the item at fault fails
 * alone and the others still commit.
 */
export class GroupCommit<T, R> {
  private readonly queue: Pending<T, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.options.parallel) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.parallel && this.queue.length) {
      // What waits is shared among the free slots: batches run side by side, on as many server processes.
      const size = Math.min(this.options.maxBatch, Math.ceil(this.queue.length / (this.options.parallel - this.running)));
      const batch = this.queue.splice(0, size);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        if (this.queue.length) this.schedule();
        else if (!this.running) this.options.onIdle?.();
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

/**
 * One GroupCommit per key (an event's registrations, a rate limit's counter): items of the same
 * key are grouped, `parallel` batches at most per key, keys run independently. A key's group is
 * dropped once idle, so keys seen once hold no memory.
 */
export class KeyedGroupCommit<T, R> {
  private readonly groups = new Map<string, GroupCommit<T, R>>();

  constructor(
    private readonly run: (key: string, items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(key: string, item: T): Promise<R> {
    let group = this.groups.get(key);
    if (!group) {
      const created = new GroupCommit<T, R>((items) => this.run(key, items), {
        ...this.options,
        onIdle: () => this.groups.delete(key),
      });
      this.groups.set(key, created);
      group = created;
    }
    return group.submit(item);
  }

  /** Keys with items waiting or running. */
  get size(): number {
    return this.groups.size;
  }
}
