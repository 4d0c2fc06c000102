/**
 * Child process holding the socket.io clients, so that receiving and decoding 500 websocket
 * frames does not run on the server's event loop (as in production, where agents' browsers
 * are elsewhere). Driven by IPC: see fleet-protocol.ts.
 */
import { io, type Socket } from 'socket.io-client';
import { markerOf, type FleetCollect, type FleetCommand, type FleetConnect, type FleetReply } from './fleet-protocol';
import { nowMs, sleep } from './timing';

const sockets: Socket[] = [];
let markers: number[] = [];
let times: number[] = [];
let refetches = 0;
let refetchFailures = 0;

const reply = (r: FleetReply): void => {
  process.send?.(r);
};

function record(payload: unknown): void {
  const at = nowMs();
  const marker = markerOf(payload);
  if (marker === null) return;
  markers.push(marker);
  times.push(at);
}

/** What one inbox screen asks after conversation events (see FleetConnect.screen). */
function actAsScreen(socket: Socket, screen: NonNullable<FleetConnect['screen']>, url: string, token: string | null): void {
  const seen = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const refetch = async () => {
    timer = null;
    refetches++;
    try {
      const res = await fetch(`${url}${screen.path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      await res.arrayBuffer();
      if (res.status !== 200) refetchFailures++;
    } catch {
      refetchFailures++;
    }
  };
  socket.on('conversation.created', (c: { id: string }) => void seen.add(c.id));
  // As the web's cache patcher: an event telling the file's state before moves the counters in
  // place; only one about a file never seen, without that state, asks for them again.
  socket.on('conversation.updated', (c: { id: string }, before?: unknown) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    if (before) return;
    timer ??= setTimeout(() => void refetch(), screen.throttleMs);
  });
  socket.on('disconnect', () => {
    if (timer) clearTimeout(timer);
  });
}

function connectOne(cmd: FleetConnect, token: string | null): Promise<Socket> {
  const socket = io(cmd.url, {
    transports: ['websocket'],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
    timeout: cmd.timeoutMs,
  });
  socket.on(cmd.event, record);
  if (cmd.screen) actAsScreen(socket, cmd.screen, cmd.url, token);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e: Error) => {
      socket.close();
      reject(e);
    });
  });
}

async function connectAll(cmd: FleetConnect): Promise<void> {
  let failed = 0;
  let firstError: string | null = null;
  for (let i = 0; i < cmd.tokens.length; i += cmd.parallel) {
    const batch = cmd.tokens.slice(i, i + cmd.parallel);
    for (const r of await Promise.allSettled(batch.map((t) => connectOne(cmd, t)))) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else {
        failed++;
        firstError ??= String(r.reason);
      }
    }
  }
  reply({ type: 'connected', ok: sockets.length, failed, firstError });
}

async function collect(cmd: FleetCollect): Promise<void> {
  const start = nowMs();
  while (markers.length < cmd.expected && nowMs() - start < cmd.timeoutMs) await sleep(10);
  reply({ type: 'arrivals', markers, times, refetches, refetchFailures });
  markers = [];
  times = [];
  refetches = 0;
  refetchFailures = 0;
}

function close(): void {
  for (const s of sockets) s.close();
  process.exit(0);
}

process.on('message', (cmd: FleetCommand) => {
  const work = cmd.type === 'connect' ? connectAll(cmd) : cmd.type === 'collect' ? collect(cmd) : Promise.resolve(close());
  work.catch((e: unknown) => reply({ type: 'error', message: String(e) }));
});
// The parent went away: nothing to report to any more.
process.on('disconnect', () => close());
