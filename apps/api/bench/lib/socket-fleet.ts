import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FleetArrivals, FleetCommand, FleetConnect, FleetConnected, FleetReply } from './fleet-protocol';
import { withTimeout } from './timing';

export interface Arrival {
  marker: number;
  at: number;
}

/** N socket.io clients in a child process (socket-fleet-child.ts), recording marked events. */
export class SocketFleet {
  private constructor(private readonly child: ChildProcess) {}

  static start(): SocketFleet {
    const child = fork(join(__dirname, 'socket-fleet-child.js'), [], { serialization: 'advanced', stdio: 'inherit' });
    return new SocketFleet(child);
  }

  /** A fleet with one connected client per token; the child is ended when they cannot all connect. */
  static async open(
    url: string,
    tokens: (string | null)[],
    event: string,
    screen?: FleetConnect['screen'],
  ): Promise<SocketFleet> {
    const fleet = SocketFleet.start();
    try {
      await fleet.connect(url, tokens, event, screen);
    } catch (e) {
      await fleet.close();
      throw e;
    }
    return fleet;
  }

  private request<T extends FleetReply['type']>(
    cmd: FleetCommand,
    expect: T,
    timeoutMs: number,
  ): Promise<Extract<FleetReply, { type: T }>> {
    const answer = new Promise<Extract<FleetReply, { type: T }>>((resolve, reject) => {
      const onMessage = (r: FleetReply) => {
        cleanup();
        if (r.type === expect) resolve(r as Extract<FleetReply, { type: T }>);
        else reject(new Error(r.type === 'error' ? `socket fleet: ${r.message}` : `socket fleet: unexpected ${r.type}`));
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`socket fleet exited (${code})`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      try {
        this.child.send(cmd);
      } catch (e) {
        cleanup();
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    return withTimeout(answer, timeoutMs, `socket fleet ${cmd.type}`);
  }

  /** Connects one client per token; rejects unless every one of them is connected. */
  async connect(url: string, tokens: (string | null)[], event: string, screen?: FleetConnect['screen']): Promise<void> {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`loopback URLs only: ${url}`);
    const r: FleetConnected = await this.request(
      { type: 'connect', url, tokens, event, parallel: 50, timeoutMs: 20_000, ...(screen ? { screen } : {}) },
      'connected',
      60_000 + tokens.length * 100,
    );
    if (r.failed) throw new Error(`${r.failed}/${tokens.length} socket clients failed to connect: ${r.firstError}`);
  }

  /** The marked deliveries received since the last collect (waits for `expected` of them, bounded). */
  async collect(
    expected: number,
    timeoutMs: number,
  ): Promise<{ arrivals: Arrival[]; refetches: number; refetchFailures: number }> {
    const r: FleetArrivals = await this.request({ type: 'collect', expected, timeoutMs }, 'arrivals', timeoutMs + 30_000);
    return {
      arrivals: r.markers.map((marker, i) => ({ marker, at: r.times[i]! })),
      refetches: r.refetches,
      refetchFailures: r.refetchFailures,
    };
  }

  /** Disconnects every client and ends the child (killed if it has not exited within 10 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send({ type: 'close' } satisfies FleetCommand);
      await withTimeout(exited, 10_000, 'socket fleet exit');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}
