import { randomBytes } from 'node:crypto';
import { IngestService } from '../src/modules/ingest/ingest.service';
import type { SeededTown } from './inbox-seed';
import type { BenchEnv, Log } from './lib/env';
import { createAgents } from './lib/fixtures';
import { SocketFleet } from './lib/socket-fleet';
import { summarize, type Summary } from './lib/stats';
import { nowMs, rounds, sleep } from './lib/timing';

export interface InboxLiveOptions {
  /** Agents' inbox screens connected to socket.io, spread over the town's services. */
  screens: number;
  /** Citizens' SMS ingested per second during the live segments. */
  messagesPerSecond: number;
  /** List requests measured in each mode (quiet, live), in `rounds` alternating segments. */
  requests: number;
  rounds: number;
}

export const INBOX_LIVE_DEFAULTS = { screens: 50, messagesPerSecond: 20, rounds: 5 };

/** How long a screen coalesces its refetches (createCachePatcher's default throttle). */
const SCREEN_THROTTLE_MS = 1000;

export interface InboxLiveResult {
  quiet: Summary;
  live: Summary;
  messages: number;
  /** ingest() calls, from start to commit and events emitted. */
  ingest: Summary;
  refetches: number;
  refetchFailures: number;
  liveSeconds: number;
}

/**
 * Citizens' SMS at a steady rate through IngestService (the webhook's writer, in the API's own
 * process), each from a seeded citizen's phone: into their latest file in progress, else a new one.
 * Open loop: a slow message does not slow the arrivals (at most 8 in flight).
 */
class SmsStream {
  private stopped = true;
  private loop: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  sent = 0;
  readonly ingestMs: number[] = [];

  constructor(
    private readonly ingest: IngestService,
    private readonly channels: string[],
    private readonly phones: string[],
    private readonly spacingMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const start = nowMs();
    for (let i = 0; !this.stopped; i++) {
      const wait = start + i * this.spacingMs - nowMs();
      if (wait > 0) await sleep(wait);
      if (this.stopped) break;
      while (this.inFlight.size >= 8) await Promise.race(this.inFlight);
      const n = this.sent++;
      const began = nowMs();
      const p: Promise<void> = this.ingest
        .ingest({
          channelId: this.channels[n % this.channels.length]!,
          externalId: `SM${randomBytes(16).toString('hex')}`,
          from: { kind: 'phone', value: this.phones[n % this.phones.length]! },
          text: `Bonjour, le lampadaire de ma rue est encore en panne ce soir (${n}). Merci de faire le nécessaire.`,
          thread: { latestOpen: true },
        })
        .then(
          () => {
            this.ingestMs.push(nowMs() - began);
            this.inFlight.delete(p);
          },
          (e: unknown) => {
            this.failure ??= e;
            this.inFlight.delete(p);
          },
        );
      this.inFlight.add(p);
    }
  }

  /** Stops the arrivals and waits for the messages in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
  }
}

/**
 * The list's latency with and without live traffic (issue 20): `screens` agents' screens
 * connected to the API's socket.io, each doing what the web app's inbox does with the events it
 * hears (apps/web/src/realtime/cache-patch.ts: patched in place, except the counters asked again,
 * coalesced over a second, after an event about a file the screen has not seen), while citizens'
 * SMS arrive at `messagesPerSecond`. Quiet and live segments alternate, the same list request
 * measured in both.
 */
export async function measureInboxLive(
  env: BenchEnv,
  town: SeededTown,
  o: InboxLiveOptions,
  listRequest: () => Promise<number>,
  log: Log,
): Promise<InboxLiveResult> {
  const { rows: channels } = await env.db.query<{ id: string }>(
    `SELECT id FROM channel WHERE organization_id = $1 AND kind = 'sms' ORDER BY id`,
    [town.organizationId],
  );
  const { rows: phones } = await env.db.query<{ value: string }>(
    `SELECT value FROM contact_identity WHERE organization_id = $1 AND kind = 'phone' ORDER BY hashtext(value) LIMIT 20000`,
    [town.organizationId],
  );
  if (!channels.length || !phones.length) throw new Error('the seeded town has no SMS channel or no phone identity');
  const tokens: string[] = [];
  for (let i = 0; i < town.teamIds.length; i++) {
    const count = Math.floor(((i + 1) * o.screens) / town.teamIds.length) - Math.floor((i * o.screens) / town.teamIds.length);
    if (!count) continue;
    const agents = await createAgents(env.db, {
      organizationId: town.organizationId,
      role: 'agent',
      teamIds: [town.teamIds[i]!],
      count,
    });
    tokens.push(...agents.map((a) => a.token));
  }
  const fleet = await SocketFleet.open(env.app.url, tokens, 'message.created', {
    path: '/api/v1/conversations/counts',
    throttleMs: SCREEN_THROTTLE_MS,
  });
  const stream = new SmsStream(
    env.app.app.get(IngestService),
    channels.map((c) => c.id),
    phones.map((p) => p.value),
    1000 / o.messagesPerSecond,
  );
  const quiet: number[] = [];
  const live: number[] = [];
  let liveMs = 0;
  try {
    log(
      `inbox: ${o.screens} screens connected; ${o.rounds} alternating quiet / live segments of the list (${o.messagesPerSecond} SMS per second while live)`,
    );
    for (const r of rounds(o.requests, o.rounds)) {
      for (let i = 0; i < r.count; i++) quiet.push(await listRequest());
      stream.start();
      const began = nowMs();
      // The first events reach the screens before the first live sample.
      await sleep(SCREEN_THROTTLE_MS);
      for (let i = 0; i < r.count; i++) live.push(await listRequest());
      await stream.stop();
      liveMs += nowMs() - began;
      // The screens' last coalesced refetches land before the next quiet segment.
      await sleep(2 * SCREEN_THROTTLE_MS);
    }
    const { refetches, refetchFailures } = await fleet.collect(0, 0);
    return {
      quiet: summarize(quiet),
      live: summarize(live),
      messages: stream.sent,
      ingest: summarize(stream.ingestMs),
      refetches,
      refetchFailures,
      liveSeconds: liveMs / 1000,
    };
  } finally {
    await fleet.close();
  }
}
