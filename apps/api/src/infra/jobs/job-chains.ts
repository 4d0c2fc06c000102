/**
 * Running a fetched batch of jobs several at a time without reordering what must stay in order
 * (job-queue.ts `work` with `atOnce` > 1). Pure: no database, no pg-boss.
 *
 * A chain is a run of jobs that share an ordering key, directly or through one another (union-find):
 * its jobs run one after another in queue order. Chains run side by side, at most `atOnce` at a
 * time and at most `perClass(c)` of one class `c` (a durable listener: two jobs of the reports'
 * listener contend for the same counter rows, whatever their conversations).
 */

/**
 * The chains of `jobs` (given in queue order): jobs sharing a key are in one chain, and so, by
 * transitivity, are jobs linked through others; a job without keys is a chain of its own. Each
 * chain keeps queue order, and chains come in the order of their first job.
 */
export function chainsOf<J>(jobs: readonly J[], keysOf: (job: J, index: number) => readonly string[]): J[][] {
  const parent = jobs.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root]!;
    // Path compression: every node on the way points at the root.
    while (parent[i] !== root) {
      const next = parent[i]!;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const firstWith = new Map<string, number>();
  jobs.forEach((job, i) => {
    for (const key of keysOf(job, i)) {
      const seen = firstWith.get(key);
      if (seen === undefined) {
        firstWith.set(key, i);
        continue;
      }
      const a = find(seen);
      const b = find(i);
      // The smaller index is the root: a chain is named by its first job.
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  });
  const byRoot = new Map<number, J[]>();
  jobs.forEach((job, i) => {
    const root = find(i);
    const chain = byRoot.get(root);
    if (chain) chain.push(job);
    else byRoot.set(root, [job]);
  });
  // Map iteration follows insertion: the root (first job) of each chain is met before its others.
  return [...byRoot.values()];
}

export interface ChainLimits<J> {
  /** Chains running at once (at least 1). */
  atOnce: number;
  /** The class of a chain, from its first job; every chain is of one class when unset. */
  classOf?: (job: J) => string;
  /** Chains of one class running at once (at least 1); `atOnce` when unset. */
  perClass?: (cls: string) => number;
}

/**
 * Runs every job of `chains` once: each chain's jobs one after another, chains side by side within
 * `limits`, the earliest chain whose class has room started first. `run` settles each job itself
 * (a rejection is ignored here and the chain goes on: the caller records failures). Resolves when
 * all jobs have run.
 */
export function runChains<J>(chains: readonly J[][], limits: ChainLimits<J>, run: (job: J) => Promise<unknown>): Promise<void> {
  const atOnce = Math.max(1, Math.floor(limits.atOnce));
  const classOf = limits.classOf ?? (() => '');
  const perClass = (cls: string) => Math.max(1, Math.floor(limits.perClass?.(cls) ?? atOnce));
  const pending = chains.filter((c) => c.length > 0).map((jobs) => ({ jobs, cls: classOf(jobs[0]!) }));
  const busy = new Map<string, number>();
  let running = 0;
  return new Promise<void>((resolve) => {
    const startMore = (): void => {
      for (let i = 0; i < pending.length && running < atOnce;) {
        const { jobs, cls } = pending[i]!;
        if ((busy.get(cls) ?? 0) >= perClass(cls)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        busy.set(cls, (busy.get(cls) ?? 0) + 1);
        void (async () => {
          for (const job of jobs) await run(job).catch(() => undefined);
        })().finally(() => {
          running--;
          busy.set(cls, busy.get(cls)! - 1);
          startMore();
        });
      }
      if (running === 0 && pending.length === 0) resolve();
    };
    startMore();
  });
}
