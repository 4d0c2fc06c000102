/**
 * The soak's 200 agents (socket.io clients), in a child process so that their frames are not
 * decoded on the bench's event loop. Each behaves as the web app does (apps/web/src/realtime):
 * websocket transport, reconnects after a drop — to either instance, as a load balancer would
 * send it — and after a reconnect reads its service's conversation list again (events may have
 * been missed meanwhile). Driven over IPC: see soak-protocol.ts.
 */
import { io, type Socket } from 'socket.io-client';
import {
  soakMarkerOf,
  type SoakAgentReport,
  type SoakAgentSpec,
  type SoakAgentsCommand,
  type SoakAgentsInit,
  type SoakAgentsReply,
  type SoakGap,
} from './soak-protocol';
import { nowMs, sleep } from './timing';

const reply = (r: SoakAgentsReply): void => void process.send?.(r);

let markers: number[] = [];
let times: number[] = [];
let catchUps = 0;
let catchUpFailures = 0;
let closing = false;

const STATUSES = 'open,pending,snoozed,resolved,closed';

class SoakAgent {
  private socket: Socket | null = null;
  private url: number;
  readonly bits: Uint8Array;
  readonly gaps: SoakGap[] = [];
  readonly transfers = new Set<string>();
  readonly connects: number[];
  connected = false;

  constructor(
    private readonly spec: SoakAgentSpec,
    private readonly urls: string[],
    maxMarker: number,
  ) {
    this.url = spec.firstUrl;
    this.bits = new Uint8Array(Math.ceil(maxMarker / 8));
    this.connects = urls.map(() => 0);
  }

  /** Resolves at the first connection (or its failure); later drops reconnect by themselves. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.open(resolve, reject));
  }

  private open(onFirst?: () => void, onFirstError?: (e: Error) => void): void {
    const socket = io(this.urls[this.url]!, {
      transports: ['websocket'],
      auth: { token: this.spec.token },
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
    });
    this.socket = socket;
    socket.on('message.created', (m: { body?: unknown }) => {
      const at = nowMs();
      const marker = soakMarkerOf(m.body);
      if (marker === null || marker >= this.bits.length * 8) return;
      this.bits[marker >> 3]! |= 1 << (marker & 7);
      markers.push(marker);
      times.push(at);
    });
    socket.on('conversation.updated', (c: { id: string; teamId: string }, before?: { teamId?: string }) => {
      if (c.teamId !== this.spec.teamId || (before?.teamId && before.teamId !== c.teamId)) this.transfers.add(c.id);
    });
    socket.once('connect', () => {
      this.connected = true;
      this.connects[this.url]!++;
      const gap = this.gaps.at(-1);
      if (gap && gap.to === null) {
        gap.to = Date.now();
        void this.catchUp(gap);
      }
      onFirst?.();
    });
    socket.once('connect_error', (e: Error) => {
      socket.close();
      if (onFirstError) return onFirstError(e);
      this.retry(1000 + Math.random() * 1000);
    });
    socket.once('disconnect', (reason: string) => {
      this.connected = false;
      socket.close();
      if (closing) return;
      this.gaps.push({ from: Date.now(), to: null, caughtUpAt: null, seen: [], reason });
      this.retry(500 + Math.random() * 1000);
    });
  }

  /** To any instance: a load balancer sends a new connection wherever it likes. */
  private retry(delayMs: number): void {
    setTimeout(() => {
      if (closing) return;
      this.url = Math.floor(Math.random() * this.urls.length);
      this.open();
    }, delayMs);
  }

  /** What the web app does after a reconnect: read its lists again (here, the service's, newest activity first). */
  private async catchUp(gap: SoakGap): Promise<void> {
    const since = gap.from - 5_000;
    let cursor: string | null = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const seen: [string, number][] = [];
        do {
          const q = new URLSearchParams({ teamId: this.spec.teamId, status: STATUSES, limit: '100' });
          if (cursor) q.set('cursor', cursor);
          const res = await fetch(`${this.urls[this.url]}/api/v1/conversations?${q}`, {
            headers: { authorization: `Bearer ${this.spec.token}` },
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status !== 200) throw new Error(`list answered ${res.status}`);
          const page = (await res.json()) as { items: { id: string; lastMessageAt: string }[]; nextCursor: string | null };
          for (const c of page.items) seen.push([c.id, Date.parse(c.lastMessageAt)]);
          const oldest = page.items.at(-1);
          cursor = oldest && Date.parse(oldest.lastMessageAt) >= since ? page.nextCursor : null;
        } while (cursor);
        gap.seen = seen;
        gap.caughtUpAt = Date.now();
        catchUps++;
        return;
      } catch {
        catchUpFailures++;
        cursor = null;
        await sleep(1000);
      }
    }
  }

  caughtUp(): boolean {
    return this.connected && this.gaps.every((g) => g.caughtUpAt !== null);
  }

  report(): SoakAgentReport {
    return {
      bits: Buffer.from(this.bits).toString('base64'),
      gaps: this.gaps,
      transfers: [...this.transfers],
      connected: this.connected,
      connects: this.connects,
    };
  }

  close(): void {
    this.socket?.close();
  }
}

let agents: SoakAgent[] = [];

async function init(cmd: SoakAgentsInit): Promise<void> {
  agents = cmd.agents.map((a) => new SoakAgent(a, cmd.urls, cmd.maxMarker));
  let failed = 0;
  let firstError: string | null = null;
  for (let i = 0; i < agents.length; i += 20) {
    for (const r of await Promise.allSettled(agents.slice(i, i + 20).map((a) => a.start()))) {
      if (r.status === 'rejected') {
        failed++;
        firstError ??= String(r.reason);
      }
    }
  }
  reply({ type: 'ready', connected: agents.filter((a) => a.connected).length, failed, firstError });
}

function drain(): void {
  reply({ type: 'arrivals', markers, times, connected: agents.filter((a) => a.connected).length, catchUps, catchUpFailures });
  markers = [];
  times = [];
}

async function final(timeoutMs: number): Promise<void> {
  const start = nowMs();
  while (!agents.every((a) => a.caughtUp()) && nowMs() - start < timeoutMs) await sleep(100);
  closing = true;
  const reports = agents.map((a) => a.report());
  for (const a of agents) a.close();
  reply({ type: 'final', agents: reports });
}

process.on('message', (cmd: SoakAgentsCommand) => {
  const work = cmd.type === 'init' ? init(cmd) : cmd.type === 'drain' ? Promise.resolve(drain()) : final(cmd.timeoutMs);
  work.catch((e: unknown) => reply({ type: 'error', message: String(e) }));
});
process.on('disconnect', () => process.exit(0));
