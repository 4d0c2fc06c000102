import { GroupCommit } from '../../src/common/group-commit';

/** A run function whose batches the test settles by hand. */
function manual() {
  const batches: { items: number[]; resolve: (r: string[]) => void; reject: (e: Error) => void }[] = [];
  const run = (items: number[]) => new Promise<string[]>((resolve, reject) => batches.push({ items, resolve, reject }));
  return { batches, run };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('starts a lone item at once and groups what arrives while the batches in flight run', async () => {
    const { batches, run } = manual();
    const commits = new GroupCommit(run, { parallel: 2, maxBatch: 3 });
    const results = [1, 2, 3, 4, 5, 6, 7].map((i) => commits.submit(i));
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[0]!.resolve(['r1']);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5]]);
    batches[1]!.resolve(['r2']);
    batches[2]!.resolve(['r3', 'r4', 'r5']);
    await tick();
    expect(batches[3]!.items).toEqual([6, 7]);
    batches[3]!.resolve(['r6', 'r7']);
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
  });

  it('runs the items of a failed batch again one by one, so that only the bad one fails', async () => {
    const seen: number[][] = [];
    const commits = new GroupCommit<number, string>(
      async (items) => {
        seen.push(items);
        if (items.includes(13)) throw new Error('13 refused');
        return items.map((i) => `ok ${i}`);
      },
      { parallel: 1, maxBatch: 10 },
    );
    const results = await Promise.allSettled([11, 12, 13, 14].map((i) => commits.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['ok 11', 'ok 12', '13 refused', 'ok 14']);
    expect(seen).toEqual([[11], [12, 13, 14], [12], [13], [14]]);
  });
});
