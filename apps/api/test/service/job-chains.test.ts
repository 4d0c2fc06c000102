import { chainsOf, runChains } from '../../src/infra/jobs/job-chains';
import { CHAINS_PER_LISTENER, durableJobKeys, type DurableJob } from '../../src/modules/events/durable-job';
import type { DomainEvent } from '../../src/modules/events/domain-events';

/** A job of the test: its name and its ordering keys. */
interface J {
  name: string;
  keys: string[];
  cls?: string;
}
const j = (name: string, keys: string[], cls?: string): J => ({ name, keys, cls });
const names = (chains: J[][]) => chains.map((c) => c.map((x) => x.name));

/** A conversation's event as the durable queue carries it (only what the keys read). */
const ev = (conversationId: string | null) => ({ id: `e-${Math.random()}`, conversationId }) as unknown as DomainEvent;

describe('a fetched batch of jobs is cut into chains that keep queue order', () => {
  test('jobs sharing a key, directly or through another job, are one chain, in queue order', () => {
    const jobs = [
      j('1', ['a']),
      j('2', ['b']),
      j('3', ['c', 'a']), // joins 1's chain
      j('4', []), // alone
      j('5', ['c']), // joins through 3
      j('6', ['d']),
      j('7', ['b', 'd']), // links 2's and 6's chains
      j('8', ['e']),
    ];
    expect(names(chainsOf(jobs, (x) => x.keys))).toEqual([['1', '3', '5'], ['2', '6', '7'], ['4'], ['8']]);
  });

  test('a late job linking two chains merges them, earlier jobs keep their places', () => {
    const jobs = [j('1', ['x']), j('2', ['y']), j('3', ['x']), j('4', ['y']), j('5', ['y', 'x'])];
    expect(names(chainsOf(jobs, (x) => x.keys))).toEqual([['1', '2', '3', '4', '5']]);
  });

  test('no keys: every job is a chain of its own, in queue order; no job: no chain', () => {
    expect(names(chainsOf([j('1', []), j('2', []), j('3', [])], (x) => x.keys))).toEqual([['1'], ['2'], ['3']]);
    expect(chainsOf([], () => [])).toEqual([]);
  });

  test("a durable job's keys: its listener with each conversation of its events; none without one", () => {
    const routing: DurableJob = { listener: 'RoutingListener.onCreated', events: [ev('c1'), ev('c2'), ev('c1')] };
    const acks: DurableJob = { listener: 'AcknowledgementListener.onReceived', events: [ev('c1')] };
    const routingAgain: DurableJob = { listener: 'RoutingListener.onCreated', event: ev('c2') };
    const registration: DurableJob = { listener: 'RoutingListener.onCreated', events: [ev(null)] };
    expect(durableJobKeys(routing)).toEqual(['RoutingListener.onCreated\u0000c1', 'RoutingListener.onCreated\u0000c2']);
    expect(durableJobKeys(registration)).toEqual([]);
    // One listener's jobs about c2 in order; another listener's job about c1 apart; the registration's alone.
    const jobs = [routing, acks, registration, routingAgain];
    expect(chainsOf(jobs, durableJobKeys)).toEqual([[routing, routingAgain], [acks], [registration]]);
    expect(CHAINS_PER_LISTENER).toBe(2);
  });
});

describe('chains run side by side within their limits', () => {
  /** Runs the chains with jobs that take a few random milliseconds; what ran when. */
  async function trace(chains: J[][], limits: Parameters<typeof runChains<J>>[1]) {
    const log: { name: string; at: 'start' | 'end' }[] = [];
    let running = 0;
    let most = 0;
    const perClass = new Map<string, number>();
    let mostOfClass = 0;
    await runChains(chains, limits, async (job) => {
      log.push({ name: job.name, at: 'start' });
      running++;
      most = Math.max(most, running);
      const c = job.cls ?? '';
      perClass.set(c, (perClass.get(c) ?? 0) + 1);
      mostOfClass = Math.max(mostOfClass, perClass.get(c)!);
      try {
        await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 6)));
        if (job.name === 'boom') throw new Error('a failing job does not stop its chain');
      } finally {
        perClass.set(c, perClass.get(c)! - 1);
        running--;
        log.push({ name: job.name, at: 'end' });
      }
    });
    return { log, most, mostOfClass };
  }

  test('each chain in queue order, one job at a time; all jobs run once; never more than atOnce', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => j(`${i}`, [`k${i % 5}`]));
    const chains = chainsOf(jobs, (x) => x.keys);
    expect(chains).toHaveLength(5);
    const { log, most } = await trace(chains, { atOnce: 3 });
    expect(most).toBe(3);
    expect(
      log
        .filter((l) => l.at === 'start')
        .map((l) => l.name)
        .sort(),
    ).toEqual(jobs.map((x) => x.name).sort());
    for (const chain of chains) {
      // Within a chain: start i, end i, start i+1, … in queue order.
      const seen = log.filter((l) => chain.some((x) => x.name === l.name));
      expect(seen).toEqual(
        chain.flatMap((x) => [
          { name: x.name, at: 'start' },
          { name: x.name, at: 'end' },
        ]),
      );
    }
  });

  test('at most perClass chains of one class at once; the others take the free places', async () => {
    const chains = [
      ...Array.from({ length: 6 }, (_, i) => [j(`r${i}a`, [], 'reports'), j(`r${i}b`, [], 'reports')]),
      ...Array.from({ length: 4 }, (_, i) => [j(`a${i}`, [], 'acks')]),
    ];
    const { log, mostOfClass } = await trace(chains, {
      atOnce: 4,
      classOf: (x) => x.cls!,
      perClass: (c) => (c === 'reports' ? 1 : 2),
    });
    expect(mostOfClass).toBe(2);
    let reports = 0;
    for (const l of log.filter((x) => x.name.startsWith('r'))) {
      // A reports chain's two jobs run in a row, and no other reports chain beside it.
      reports += l.at === 'start' && l.name.endsWith('a') ? 1 : 0;
      reports -= l.at === 'end' && l.name.endsWith('b') ? 1 : 0;
      expect(reports).toBeLessThanOrEqual(1);
    }
    // The acknowledgements did not wait for the six reports chains: all started before the last one.
    const lastReportStart = log.findIndex((l) => l.name === 'r5a' && l.at === 'start');
    for (let i = 0; i < 4; i++)
      expect(log.findIndex((l) => l.name === `a${i}` && l.at === 'start')).toBeLessThan(lastReportStart);
  });

  test('atOnce 1 is one job at a time in queue order; a failing job does not stop its chain', async () => {
    const jobs = [j('1', ['a']), j('2', ['b']), j('boom', ['a']), j('4', []), j('5', ['a'])];
    const { log, most } = await trace(
      chainsOf(jobs, () => []),
      { atOnce: 1 },
    );
    expect(most).toBe(1);
    expect(log.filter((l) => l.at === 'start').map((l) => l.name)).toEqual(['1', '2', 'boom', '4', '5']);
    const chained = await trace(
      chainsOf(jobs, (x) => x.keys),
      { atOnce: 4 },
    );
    expect(chained.log.filter((l) => l.at === 'start' && ['1', 'boom', '5'].includes(l.name)).map((l) => l.name)).toEqual([
      '1',
      'boom',
      '5',
    ]);
  });
});
