/**
 * The senders of signed Twilio webhooks, on a worker thread: Twilio's requests come from another
 * machine, so the load generator must take as little as possible from the app's CPU. Like wrk or
 * autocannon it writes prepared HTTP/1.1 requests on kept-alive sockets (signed and serialized
 * before the clock starts) and reads each answer's status line and Content-Length.
 */
import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { twilioSignature } from '@guichet/channels';
import { nowMs } from './timing';
import type { WebhookLoadInit, WebhookLoadRequest, WebhookLoadResult } from './webhook-load';

const init = workerData as WebhookLoadInit;
const { hostname, port } = new URL(init.baseUrl);

function prepare(item: WebhookLoadRequest['items'][number]): Buffer {
  const params = {
    MessageSid: item.sid,
    AccountSid: init.accountSid,
    From: item.from,
    To: init.to,
    Body: item.body,
    NumMedia: '0',
  };
  const body = new URLSearchParams(params).toString();
  const signature = twilioSignature(init.authToken, init.publicUrl + init.path, params);
  return Buffer.from(
    `POST ${init.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `X-Twilio-Signature: ${signature}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** One kept-alive connection: a request at a time, resolved with the status once its body is read. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the app')));
  }

  static open(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffered.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`answer without Content-Length: ${head.slice(0, 200)}`));
    const total = end + 4 + Number(length[1]);
    if (this.buffered.length < total) return;
    this.buffered = this.buffered.subarray(total);
    const p = this.pending;
    this.pending = null;
    p?.resolve(Number(head.slice(9, 12)));
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }
}

const connections: Promise<Connection[]> = Promise.all(Array.from({ length: init.connections }, () => Connection.open()));

async function run(req: WebhookLoadRequest): Promise<WebhookLoadResult> {
  const requests = req.items.map(prepare);
  const pool = (await connections).slice(0, req.concurrency);
  const latencies: number[] = [];
  let next = 0;
  const start = nowMs();
  await Promise.all(
    pool.map(async (connection) => {
      while (next < requests.length) {
        if (nowMs() - start > init.deadlineMs)
          throw new Error(`stopped after ${init.deadlineMs} ms with ${next}/${requests.length} sent`);
        const i = next++;
        const sent = nowMs();
        const status = await connection.send(requests[i]!);
        if (status !== 200) throw new Error(`webhook ${req.items[i]!.sid} answered ${status}`);
        latencies.push(nowMs() - sent);
      }
    }),
  );
  return { id: req.id, latencies, elapsedMs: nowMs() - start };
}

parentPort!.on('message', (req: WebhookLoadRequest | 'close') => {
  if (req === 'close') {
    void connections.then((list) => list.forEach((c) => c.close()));
    parentPort!.close();
    return;
  }
  run(req).then(
    (result) => parentPort!.postMessage(result),
    (e: unknown) =>
      parentPort!.postMessage({ id: req.id, latencies: [], elapsedMs: 0, error: String(e) } satisfies WebhookLoadResult),
  );
});
