import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InboundMessage, MessageDto } from '@guichet/contracts';
import { Server } from 'socket.io';
import { IngestService } from '../src/modules/ingest/ingest.service';
import { MessageRepository } from '../src/modules/conversations/message.repository';
import { withBenchEnv, type BenchEnv, type Log } from './lib/env';
import { markerText, remark } from './lib/fleet-protocol';
import { createAgents, createChannel, createOrganization, createTeams } from './lib/fixtures';
import type { BenchResult, ResultRow } from './lib/report';
import { SocketFleet, type Arrival } from './lib/socket-fleet';
import { count, ms, summarize } from './lib/stats';
import { nowMs, rounds, runPaced } from './lib/timing';

export interface RealtimeBenchOptions {
  clients: number;
  messages: number;
  warmup: number;
  spacingMs: number;
  /** The measured messages alternate between the app and the baseline in this many rounds. */
  rounds: number;
  targetP99Ms: number;
}

export const REALTIME_DEFAULTS: RealtimeBenchOptions = {
  clients: 500,
  messages: 200,
  warmup: 20,
  spacingMs: 20,
  rounds: 5,
  targetP99Ms: 50,
};

const EVENT = 'message.created';
/** The marker of the message whose DTO is the baseline's payload (sent before any client connects). */
const SAMPLE = 999_999;

interface Fanout {
  latencies: number[];
  missing: number;
  /** How long each ingest() / emit() call took (the API emits before ingest() returns). */
  sendMs: number[];
  /** Per message: last client's arrival minus the first one's. */
  spreadMs: number[];
}

function spreads(arrivals: Arrival[], from: number): number[] {
  const range = new Map<number, [number, number]>();
  for (const a of arrivals) {
    if (a.marker < from) continue;
    const r = range.get(a.marker);
    range.set(a.marker, r ? [Math.min(r[0], a.at), Math.max(r[1], a.at)] : [a.at, a.at]);
  }
  return [...range.values()].map(([first, last]) => last - first);
}

/**
 * One side of the comparison: clients connected to `url` (a child process), and `send(i)`
 * that makes message i reach them. Each delivery's latency runs from just before `send(i)`
 * to its arrival at a client (same monotonic clock).
 */
class FanoutSide {
  private readonly sentAt: number[] = [];
  private readonly sendMs: number[] = [];

  private constructor(
    private readonly fleet: SocketFleet,
    private readonly clients: number,
    private readonly send: (i: number) => Promise<void>,
  ) {}

  static async open(url: string, tokens: (string | null)[], send: (i: number) => Promise<void>): Promise<FanoutSide> {
    return new FanoutSide(await SocketFleet.open(url, tokens, EVENT), tokens.length, send);
  }

  /** Messages from … from + count − 1, one at a time, `spacingMs` apart (warm-up ones are not measured). */
  async run(from: number, count: number, o: RealtimeBenchOptions): Promise<void> {
    await runPaced(count, o.spacingMs, 5 * 60_000, async (k) => {
      const i = from + k;
      this.sentAt[i] = nowMs();
      await this.send(i);
      if (i >= o.warmup) this.sendMs.push(nowMs() - this.sentAt[i]!);
    });
  }

  async results(o: RealtimeBenchOptions): Promise<Fanout> {
    const { arrivals } = await this.fleet.collect((o.warmup + o.messages) * this.clients, 30_000);
    const latencies = arrivals.filter((a) => a.marker >= o.warmup).map((a) => a.at - this.sentAt[a.marker]!);
    return {
      latencies,
      missing: o.messages * this.clients - latencies.length,
      sendMs: this.sendMs,
      spreadMs: spreads(arrivals, o.warmup),
    };
  }

  close(): Promise<void> {
    return this.fleet.close();
  }
}

/** A plain socket.io server on loopback (no Nest), every client in one room. */
export async function withRawServer<T>(fn: (url: string, io: Server) => Promise<T>): Promise<T> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  io.on('connection', (socket) => void socket.join('team'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, io);
  } finally {
    await io.close();
  }
}

/** One citizen message into the team's e-mail channel: a new contact and a new conversation. */
function citizenMessage(channelId: string, i: number): InboundMessage {
  return {
    channelId,
    externalId: `<rt.${i}.${randomUUID()}@mail.exemple.fr>`,
    from: { kind: 'email', value: `citoyen.rt.${i}@exemple.fr`, name: `Citoyen ${i}` },
    subject: 'Rendez-vous carte nationale d’identité',
    text: `Bonjour, je n'arrive pas à prendre rendez-vous pour ma carte d'identité en ligne ${markerText(i)}. Pouvez-vous m'aider ?`,
  };
}

interface Measured {
  app: Fanout;
  raw: Fanout;
  payloadBytes: number;
}

/**
 * 500 agents of one team connected to the API's socket.io, messages ingested into that team's
 * channel; beside them 500 clients of a plain socket.io server getting the same MessageDto.
 * The two sides alternate in rounds so that both see the same machine load.
 */
async function measure(env: BenchEnv, o: RealtimeBenchOptions, log: Log): Promise<Measured> {
  const organizationId = await createOrganization(env.db);
  const [teamId] = await createTeams(env.db, organizationId, ['Accueil']);
  const channelId = await createChannel(env.db, organizationId, teamId!, 'email');
  const agents = await createAgents(env.db, { organizationId, role: 'agent', teamIds: [teamId!], count: o.clients });
  const ingest = env.app.app.get(IngestService);
  const first = await ingest.ingest(citizenMessage(channelId, SAMPLE));
  const sample: MessageDto | null = await env.app.app.get(MessageRepository).findDto(first.messageId);
  if (!sample) throw new Error('the sample message was not found');

  return withRawServer(async (rawUrl, io) => {
    const sides: FanoutSide[] = [];
    try {
      const app = await FanoutSide.open(
        env.app.url,
        agents.map((a) => a.token),
        async (i) => {
          await ingest.ingest(citizenMessage(channelId, i));
        },
      );
      sides.push(app);
      const raw = await FanoutSide.open(rawUrl, Array<null>(o.clients).fill(null), async (i) => {
        io.to('team').emit(EVENT, { ...sample, id: randomUUID(), body: remark(sample.body, i) });
      });
      sides.push(raw);
      log(
        `realtime: ${o.clients} clients on each side; ${o.warmup} warm-up + ${o.messages} messages each, ${o.spacingMs} ms apart, ${o.rounds} alternating rounds`,
      );
      for (const side of sides) await side.run(0, o.warmup, o);
      for (const r of rounds(o.messages, o.rounds)) {
        for (const side of sides) await side.run(o.warmup + r.from, r.count, o);
      }
      return { app: await app.results(o), raw: await raw.results(o), payloadBytes: Buffer.byteLength(JSON.stringify(sample)) };
    } finally {
      for (const side of sides) await side.close();
    }
  });
}

/** Two rows: the p50 and the p99 of each side's samples. */
function percentileRows(metric: string, project: number[], baseline: number[]): ResultRow[] {
  const [p, b] = [summarize(project), summarize(baseline)];
  return [
    { metric: `${metric} p50`, values: [ms(p.p50), ms(b.p50)] },
    { metric: `${metric} p99`, values: [ms(p.p99), ms(b.p99)] },
  ];
}

export async function benchRealtime(o: RealtimeBenchOptions, log: Log): Promise<BenchResult> {
  return withBenchEnv(log, async (env) => {
    const { app, raw, payloadBytes } = await measure(env, o, log);
    const [p, b] = [summarize(app.latencies), summarize(raw.latencies)];
    const deliveries = o.messages * o.clients;
    return {
      id: 'realtime',
      title: `${EVENT} latency, ingest to ${count(o.clients)} connected agents`,
      columns: ['IngestService.ingest() → API socket.io', 'plain socket.io emit to one room'],
      rows: [
        { metric: 'deliveries received', values: [p, b].map((x) => `${count(x.n)} / ${count(deliveries)}`) },
        { metric: 'latency p50', values: [ms(p.p50), ms(b.p50)] },
        { metric: 'latency p99', values: [ms(p.p99), ms(b.p99)] },
        { metric: 'latency max', values: [ms(p.max), ms(b.max)] },
        ...percentileRows('ingest() / emit() call', app.sendMs, raw.sendMs),
        ...percentileRows('spread first → last client', app.spreadMs, raw.spreadMs),
      ],
      target: `p99 ≤ ${o.targetP99Ms} ms with every delivery received`,
      measured: `p99 ${ms(p.p99)}, ${count(app.missing)} missing`,
      pass: p.p99 <= o.targetP99Ms && app.missing === 0,
      notes: [
        `${o.warmup} warm-up + ${o.messages} measured messages per side, one at a time, ${o.spacingMs} ms apart, in ${o.rounds} rounds alternating the app and the baseline; each app message comes from a new citizen by e-mail (new conversation)`,
        `payload: the app's MessageDto (${payloadBytes} bytes of JSON); the API also emits conversation.created to the same sockets right after each message.created, the baseline emits only the message`,
        "each side's clients run in a child process of their own (websocket transport); latency = arrival (CLOCK_MONOTONIC) − the time just before ingest() / emit()",
      ],
      server: env.server,
    };
  });
}
