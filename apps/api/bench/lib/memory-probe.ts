/**
 * Loaded into an API instance by the socket-memory bench (`node --expose-gc -r memory-probe.js
 * main.js`, with an IPC channel): answers what the process holds — after full collections when
 * asked — and writes heap snapshots. Nothing of the app is touched.
 */
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';

export type ProbeAsk = { type: 'memory'; gc: boolean } | { type: 'snapshot'; path: string };

/** Bytes, from process.memoryUsage(), V8's statistics and /proc/self/status. */
export interface ProbeMemory {
  type: 'memory';
  rss: number;
  /** Resident anonymous memory (V8's heap, malloc's arenas, thread stacks) and file-backed (the binary, libraries). */
  rssAnon: number;
  rssFile: number;
  heapTotal: number;
  heapUsed: number;
  /** V8 heap pages actually resident (heapTotal counts committed ones). */
  heapPhysical: number;
  external: number;
  arrayBuffers: number;
  /** Resident in glibc malloc's heaps: the main one ([heap]) and the threads' arenas (64 MiB-aligned mappings). */
  rssMalloc: number;
  /** Per V8 space: committed, in use. */
  spaces: Record<string, { size: number; used: number }>;
  /** process.getActiveResourcesInfo() counted by kind (timers, TCP handles…). */
  resources: Record<string, number>;
  /** CPU time of the process (user + system) and V8's own collections (not the forced ones): what a smaller young generation costs. */
  cpuMs: number;
  gc: { scavenges: number; scavengeMs: number; others: number; othersMs: number };
}

const gcs = { scavenges: 0, scavengeMs: 0, others: 0, othersMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const { kind, flags } = (e as unknown as { detail: { kind: number; flags: number } }).detail;
    if (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      gcs.scavenges++;
      gcs.scavengeMs += e.duration;
    } else {
      gcs.others++;
      gcs.othersMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

const statusKb = (text: string, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN) * 1024;

/** glibc's arenas other than the main one are mappings of HEAP_MAX_SIZE (64 MiB on 64-bit), aligned on it. */
const ARENA = 64 * 2 ** 20;

/** Resident bytes of the main malloc heap and of the threads' arenas, from /proc/self/smaps. */
function mallocRss(): number {
  let total = 0;
  let arena = false;
  let arenaEnd = 0;
  for (const row of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(row);
    if (range) {
      const start = parseInt(range[1]!, 16);
      const end = parseInt(range[2]!, 16);
      const anonymous = range[4] === '';
      // An arena: its used part (rw-p) from a 64 MiB boundary, the rest of the 64 MiB reserved (---p).
      if (anonymous && start % ARENA === 0 && end - start <= ARENA) arenaEnd = start + ARENA;
      arena = range[4] === '[heap]' || (anonymous && end <= arenaEnd);
      continue;
    }
    if (arena && row.startsWith('Rss:')) total += Number(/(\d+)/.exec(row)![1]) * 1024;
  }
  return total;
}

function memory(): ProbeMemory {
  const m = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return {
    type: 'memory',
    rss: m.rss,
    rssAnon: statusKb(status, 'RssAnon'),
    rssFile: statusKb(status, 'RssFile'),
    rssMalloc: mallocRss(),
    heapTotal: m.heapTotal,
    heapUsed: m.heapUsed,
    heapPhysical: getHeapStatistics().total_physical_size,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    spaces: Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
    ),
    resources,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1e3,
    gc: { ...gcs },
  };
}

const gc = (globalThis as { gc?: (o?: { type: 'major'; execution: 'sync' }) => void }).gc;

process.on('message', (ask: ProbeAsk) => {
  if (ask.type === 'snapshot') return void process.send?.({ type: 'snapshot', path: writeHeapSnapshot(ask.path) });
  if (ask.gc) {
    if (!gc) return void process.send?.({ type: 'error', message: 'start the instance with --expose-gc' });
    // Twice: what the first one's finalizers and weak callbacks let go of is collected by the second.
    gc({ type: 'major', execution: 'sync' });
    gc({ type: 'major', execution: 'sync' });
  }
  process.send?.(memory());
});
// The channel must not keep the instance alive once the app closes.
process.channel?.unref();
