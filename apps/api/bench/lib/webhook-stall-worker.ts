/**
 * The two sides of the webhook-stall bench, each in a child process of its own so that neither
 * waits on the app's event loop to take its time stamps (a stalled loop must show in the probe)
 * and the attackers can run at the lowest CPU priority (on a real server they are elsewhere):
 * - `attack`: clients that each post a garbage body to the webhook targets in turn, one request
 *   per connection, until told to stop; an answer counts once its status line arrives;
 * - `probe`: sequential GET /api/v1/health on one kept-alive connection, as a monitor does.
 */
import { connect, type Socket } from 'node:net';
import { HttpProbe } from './http';
import { nowMs } from './timing';

export type StallWorkerInit =
  { mode: 'attack'; baseUrl: string; targets: string[]; clients: number; bodyBytes: number } | { mode: 'probe'; baseUrl: string };

export type StallWorkerCommand = { cmd: 'start' } | { cmd: 'stop' } | { cmd: 'probe'; count: number };

export interface AttackReport {
  /** Answers by HTTP status ("reset" when the connection closed before any status line). */
  statuses: Record<string, number>;
  /** Answers by target path and status. */
  byTarget: Record<string, Record<string, number>>;
  bytesSent: number;
  elapsedMs: number;
}

export type StallWorkerReply =
  | { kind: 'started' }
  | { kind: 'stopped'; report: AttackReport }
  | { kind: 'probed'; latencies: number[] }
  | { kind: 'error'; error: string };

const init = JSON.parse(process.argv[2]!) as StallWorkerInit;
const reply = (m: StallWorkerReply) => process.send!(m);

function attacker(o: Extract<StallWorkerInit, { mode: 'attack' }>) {
  const { hostname, port } = new URL(o.baseUrl);
  // Deep nesting that never closes: the slowest JSON to parse, and invalid in the end.
  const body = Buffer.alloc(o.bodyBytes, '[');
  const heads = o.targets.map((path) =>
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${o.bodyBytes}\r\n` +
        `X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\nX-Guichet-Signature: ${'0'.repeat(64)}\r\n` +
        `Connection: close\r\n\r\n`,
    ),
  );
  const sockets = new Set<Socket>();
  let running = false;
  let report: AttackReport = { statuses: {}, byTarget: {}, bytesSent: 0, elapsedMs: 0 };
  let clients: Promise<void>[] = [];
  let started = 0;

  const once = (target: number): Promise<string> =>
    new Promise((resolve) => {
      const socket = connect(Number(port), hostname);
      sockets.add(socket);
      let head = '';
      let status: string | null = null;
      socket.on('connect', () => {
        socket.write(heads[target]!);
        socket.write(body);
      });
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
        if (m && status === null) {
          status = m[1]!;
          socket.destroy();
        }
      });
      // A refused request may see its connection closed while the body is still being written.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        report.bytesSent += socket.bytesWritten;
        resolve(status ?? 'reset');
      });
    });

  const client = async (offset: number) => {
    for (let k = offset; running; k++) {
      const target = k % o.targets.length;
      const status = await once(target);
      if (!running && status === 'reset') break;
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      const path = o.targets[target]!;
      const t = (report.byTarget[path] ??= {});
      t[status] = (t[status] ?? 0) + 1;
    }
  };

  return {
    start() {
      report = { statuses: {}, byTarget: {}, bytesSent: 0, elapsedMs: 0 };
      running = true;
      started = nowMs();
      clients = Array.from({ length: o.clients }, (_, i) => client(i));
    },
    async stop(): Promise<AttackReport> {
      running = false;
      report.elapsedMs = nowMs() - started;
      sockets.forEach((s) => s.destroy());
      await Promise.all(clients);
      return report;
    },
  };
}

if (init.mode === 'attack') {
  const attack = attacker(init);
  process.on('message', (m: StallWorkerCommand) => {
    if (m.cmd === 'start') {
      attack.start();
      reply({ kind: 'started' });
    } else if (m.cmd === 'stop') {
      attack.stop().then(
        (report) => reply({ kind: 'stopped', report }),
        (e: unknown) => reply({ kind: 'error', error: String(e) }),
      );
    }
  });
} else {
  const http = new HttpProbe(init.baseUrl, 60_000);
  process.on('message', (m: StallWorkerCommand) => {
    if (m.cmd === 'probe') {
      void (async () => {
        const latencies: number[] = [];
        for (let i = 0; i < m.count; i++) {
          const start = nowMs();
          // Like any HTTP client, a GET whose kept-alive connection was closed meanwhile is sent again (timed from the first try).
          const r = await http.get('/api/v1/health').catch((e: NodeJS.ErrnoException) => {
            if (e.code === 'ECONNRESET') return http.get('/api/v1/health');
            throw e;
          });
          if (r.status !== 200) throw new Error(`health answered ${r.status}: ${r.body.slice(0, 200)}`);
          latencies.push(nowMs() - start);
        }
        return latencies;
      })().then(
        (latencies) => reply({ kind: 'probed', latencies }),
        (e: unknown) => reply({ kind: 'error', error: String(e) }),
      );
    }
  });
}
