import { GroupCommit, KeyedGroupCommit } from '../../src/common/group-commit';

/** A run function whose batches the test settles by hand. */
function manual() {
  const batches: { items: number[]; resolve: (r: string[]) => void; reject: (e: Error) => void }[] = [];
  const run = (items: number[]) => new Promise<string[]>((resolve, reject) => batches.push({ items, resolve, reject }));
  return { batches, run };
}
/** Lets pending callbacks and a few event-loop turns run. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

describe('GroupCommit', () => {
  it('sends what is submitted in one event-loop turn together, and groups what arrives while the batches in flight run', async () => {
    const { batches, run } = manual();
    const commits = new GroupCommit(run, { parallel: 2, maxBatch: 3 });
    const results = [1, 2, 3, 4, 5, 6, 7].map((i) => commits.submit(i));
    expect(batches).toEqual([]);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const late = commits.submit(8);
    batches[0]!.resolve(['r1', 'r2', 'r3']);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    batches[1]!.resolve(['r4', 'r5', 'r6']);
    batches[2]!.resolve(['r7', 'r8']);
    expect(await Promise.all([...results, late])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);
  });

  it('starts a lone item at the end of the turn', async () => {
    const { batches, run } = manual();
    const commits = new GroupCommit(run, { parallel: 2, maxBatch: 3 });
    const result = commits.submit(1);
    await settle();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.resolve(['r1']);
    expect(await result).toBe('r1');
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
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'ok 11',
      'ok 12',
      '13 refused',
      'ok 14',
    ]);
    expect(seen).toEqual([[11, 12, 13, 14], [11], [12], [13], [14]]);
  });

  it('groups items per key: keys run side by side, and a key whose items are all answered is dropped', async () => {
    const batches: { key: string; items: number[]; resolve: (r: string[]) => void }[] = [];
    const commits = new KeyedGroupCommit<number, string>(
      (key, items) => new Promise<string[]>((resolve) => batches.push({ key, items, resolve })),
      { parallel: 1, maxBatch: 10 },
    );
    const a = [1, 2].map((i) => commits.submit('a', i));
    const b = [3].map((i) => commits.submit('b', i));
    await settle();
    expect(batches.map((x) => [x.key, x.items])).toEqual([
      ['a', [1, 2]],
      ['b', [3]],
    ]);
    const a2 = commits.submit('a', 4);
    await settle();
    // One batch in flight per key: a's next waits for its first.
    expect(batches).toHaveLength(2);
    batches[0]!.resolve(['a1', 'a2']);
    batches[1]!.resolve(['b3']);
    await settle();
    expect(batches[2]).toMatchObject({ key: 'a', items: [4] });
    expect(commits.size).toBe(1);
    batches[2]!.resolve(['a4']);
    expect(await Promise.all([...a, ...b, a2])).toEqual(['a1', 'a2', 'b3', 'a4']);
    await settle();
    expect(commits.size).toBe(0);
  });
});
