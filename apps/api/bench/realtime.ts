import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageDto } from '@guichet/contracts';
import { Server } from 'socket.io';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { withBenchEnv, type Log } from './lib/env';
import { markerText } from './lib/fleet-protocol';
import { createAgents, createChannel, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult } from './lib/report';
import { SocketFleet } from './lib/socket-fleet';
import { count, ms, summarize } from './lib/stats';
import { nowMs, runPaced } from './lib/timing';

export interface RealtimeBenchOptions {
  clients: number;
  messages: number;
  warmup: number;
  spacingMs: number;
  targetP99Ms: number;
}

export const REALTIME_DEFAULTS: RealtimeBenchOptions = {
  clients: 500,
  messages: 200,
  warmup: 20,
  spacingMs: 20,
  targetP99Ms: 50,
};

const EVENT = 'message.created';

interface Fanout {
  latencies: number[];
  missing: number;
  sample: unknown;
}

/**
 * Sends warm-up + measured messages one at a time, `spacingMs` apart; each delivery's latency
 * runs from just before `send(i)` to its arrival at a client (child process, same clock).
 */
async function measureFanout(
  url: string,
  tokens: (string | null)[],
  o: RealtimeBenchOptions,
  send: (i: number) => Promise<void>,
): Promise<Fanout> {
  const fleet = SocketFleet.start();
  try {
    await fleet.connect(url, tokens, EVENT);
    const sentAt: number[] = [];
    const total = o.warmup + o.messages;
    await runPaced(total, o.spacingMs, 5 * 60_000, async (i) => {
      sentAt[i] = nowMs();
      await send(i);
    });
    const { arrivals, sample } = await fleet.collect(total * tokens.length, 30_000);
    const latencies = arrivals.filter((a) => a.marker >= o.warmup).map((a) => a.at - sentAt[a.marker]!);
    return { latencies, missing: o.messages * tokens.length - latencies.length, sample };
  } finally {
    await fleet.close();
  }
}

const citizenText = (i: number) =>
  `Bonjour, je n'arrive pas à prendre rendez-vous pour ma carte d'identité en ligne ${markerText(i)}. Pouvez-vous m'aider ?`;

/** The app: 500 agents of one team connected to the API's socket.io, messages ingested into that team's channel. */
async function appFanout(o: RealtimeBenchOptions, log: Log): Promise<Fanout & { server: string }> {
  return withBenchEnv(log, async (env) => {
    const organizationId = await createOrganization(env.db);
    const [teamId] = await createTeams(env.db, organizationId, ['Accueil']);
    const channelId = await createChannel(env.db, organizationId, teamId!, 'email');
    const agents = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: o.clients });
    const ingest = env.app.app.get(IngestService);
    log(`realtime: ${o.clients} agents connected to the API, ${o.warmup} + ${o.messages} messages ingested ${o.spacingMs} ms apart`);
    const fanout = await measureFanout(
      env.app.url,
      agents.map((a) => a.token),
      o,
      async (i) => {
        await ingest.ingest({
          channelId,
          externalId: `<rt.${i}.${randomUUID()}@mail.exemple.fr>`,
          from: { kind: 'email', value: `citoyen.rt.${i}@exemple.fr`, name: `Citoyen ${i}` },
          subject: 'Rendez-vous carte nationale d’identité',
          text: citizenText(i),
        });
      },
    );
    return { ...fanout, server: env.server };
  });
}

/** Baseline: a plain socket.io server, every client in one room, the same payload emitted the same way. */
async function rawFanout(o: RealtimeBenchOptions, sample: MessageDto, log: Log): Promise<Fanout> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  io.on('connection', (socket) => void socket.join('team'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    log(`realtime baseline: ${o.clients} clients on a plain socket.io server`);
    return await measureFanout(url, Array<null>(o.clients).fill(null), o, async (i) => {
      io.to('team').emit(EVENT, { ...sample, id: randomUUID(), body: sample.body.replace(/\[bench#\d{6}\]/, markerText(i)) });
    });
  } finally {
    await io.close();
  }
}

export async function benchRealtime(o: RealtimeBenchOptions, log: Log): Promise<BenchResult> {
  const app = await appFanout(o, log);
  if (!app.sample) throw new Error(`no ${EVENT} reached the clients`);
  const sample = app.sample as MessageDto;
  const raw = await rawFanout(o, sample, log);
  const p = summarize(app.latencies);
  const b = summarize(raw.latencies);
  const deliveries = o.messages * o.clients;
  return {
    id: 'realtime',
    title: `${EVENT} latency, ingest to ${count(o.clients)} connected agents`,
    projectLabel: 'IngestService.ingest() → API socket.io',
    baselineLabel: 'plain socket.io emit to one room',
    rows: [
      { metric: 'deliveries received', project: `${count(p.n)} / ${count(deliveries)}`, baseline: `${count(b.n)} / ${count(deliveries)}` },
      { metric: 'p50', project: ms(p.p50), baseline: ms(b.p50) },
      { metric: 'p99', project: ms(p.p99), baseline: ms(b.p99) },
      { metric: 'max', project: ms(p.max), baseline: ms(b.max) },
    ],
    target: `p99 ≤ ${o.targetP99Ms} ms with every delivery received`,
    measured: `p99 ${ms(p.p99)}, ${count(app.missing)} missing`,
    pass: p.p99 <= o.targetP99Ms && app.missing === 0,
    notes: [
      `${o.warmup} warm-up + ${o.messages} measured messages, one at a time, ${o.spacingMs} ms apart; each from a new citizen by e-mail (new conversation)`,
      `payload: the MessageDto of ${Buffer.byteLength(JSON.stringify(sample))} bytes; the API also emits conversation.created to the same sockets before each message.created, the baseline emits only the message`,
      'clients run in a child process (websocket transport); latency = arrival (CLOCK_MONOTONIC) − time just before ingest()/emit()',
    ],
    server: app.server,
  };
}
