import { IoAdapter } from '@nestjs/platform-socket.io';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/** Each instance stays subscribed to `guichet-instance#<its id>` while it runs: these channels are the live instances. */
const INSTANCE = 'guichet-instance#';
/** An instance stopping on purpose says so here (its id) before it leaves. */
const LEAVING = 'guichet-instance-leaving';
/** How often each instance says it is alive and looks for peers that vanished. */
const PEER_CHECK_MS = 1_000;
/** Each live instance's last heartbeat (sorted set: score = Redis's clock in ms, member = instance id). */
const HEARTBEATS = 'guichet-instance-heartbeats';
/** A peer silent this long is gone, even if its connections to Redis still look open. */
const SILENT_MS = 10_000;
/** Ids of processes that stopped long ago leave the set (each start has a new id). */
const FORGET_MS = 3_600_000;
/**
 * One round trip: this instance's heartbeat, dated by Redis's clock (one clock for every
 * instance, whatever their machines' clocks say), and the ids heard from within SILENT_MS.
 */
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')`;

/**
 * With REDIS_URL, every API instance delivers every event to every agent (socket.io Redis adapter).
 *
 * Redis may restart or drop the connection: the clients reconnect by themselves (an `error`
 * listener keeps the process alive meanwhile — without one, node-redis's `error` event would end
 * it). Events published while the subscription was down never reached this instance's sockets, so
 * once it is back every local socket's connection is closed: the clients reconnect and, as after
 * any reconnect, read their lists again (apps/web use-realtime.ts).
 *
 * An instance may also die (SIGKILL, out of memory, its machine lost) between committing a
 * message and publishing its event: the event never reaches the other instances, and neither
 * a provider's retry nor the mailbox's re-read tells it again (the message is already stored).
 * Each instance therefore watches its peers through Redis: a peer is alive while it stays
 * subscribed to its own channel (gone at once when its process dies and its sockets close) and
 * has beaten within SILENT_MS (a machine lost without its TCP connections closing keeps its
 * subscription in Redis until Redis's keepalive notices, 300 s by default: its silence tells
 * sooner). When one vanishes without having said it was stopping, every local socket's
 * connection is closed as above, and the clients reload what that instance committed but never
 * told.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly log = new Logger('Realtime');
  private adapterConstructor?: ReturnType<typeof createAdapter>;
  private clients: { quit(): Promise<unknown> }[] = [];
  private servers: Server[] = [];
  /** This instance's id on the instance channels. */
  private readonly id = randomUUID();
  /** The subscription dropped and is not back yet: its return resyncs every socket anyway. */
  private lost = false;
  /** Peers seen at the last check (null: no reference yet, e.g. right after Redis came back). */
  private peers: Set<string> | null = null;
  /** Peers that said they were stopping. */
  private readonly leaving = new Set<string>();
  private peerCheck?: NodeJS.Timeout;
  private stop?: () => Promise<unknown>;

  constructor(app: INestApplicationContext) {
    super(app);
  }

  async connect(url: string): Promise<void> {
    const pub = createClient({ url });
    const sub = pub.duplicate();
    for (const [name, client] of [
      ['publication', pub],
      ['abonnement', sub],
    ] as const) {
      client.on('error', (e: unknown) => {
        if (!this.lost) this.log.warn(`Redis (${name}) injoignable : ${String(e)} ; reconnexion en cours`);
        if (client === sub) this.lost = true;
      });
    }
    sub.on('ready', () => {
      if (!this.lost) return;
      this.lost = false;
      // Peers resubscribe in their own time: who is alive is read afresh.
      this.peers = null;
      this.log.warn('Redis de retour : les sockets de cette instance se reconnectent (événements manqués pendant la coupure)');
      this.reconnectLocalSockets();
    });
    // The adapter publishes without awaiting (every broadcast, every cluster request): a publish
    // failing as Redis goes away (socket closed, command timed out) would be an unhandled rejection
    // that ends the process. Those events are lost to the other instances, whose sockets
    // reconnect and catch up once Redis is back (above).
    const publish = pub.publish.bind(pub);
    Object.assign(pub, {
      publish: (...args: Parameters<typeof publish>) =>
        publish(...args).catch((e: unknown) => {
          if (!this.lost) this.log.warn(`Redis : publication perdue (${String(e)})`);
          return 0;
        }),
    });
    await Promise.all([pub.connect(), sub.connect()]);
    this.clients = [pub, sub];
    this.adapterConstructor = createAdapter(pub, sub);
    const alive = async () => {
      const [heard, channels] = await Promise.all([
        pub.eval(BEAT, { keys: [HEARTBEATS], arguments: [this.id, String(SILENT_MS), String(FORGET_MS)] }),
        pub.pubSubChannels(`${INSTANCE}*`),
      ]);
      const subscribed = new Set(channels.map((c) => c.slice(INSTANCE.length)));
      return (heard as string[]).filter((id) => subscribed.has(id));
    };
    await sub.subscribe(LEAVING, (id) => void this.leaving.add(id));
    await sub.subscribe(INSTANCE + this.id, () => undefined);
    await alive();
    this.stop = () => Promise.all([pub.publish(LEAVING, this.id), pub.zRem(HEARTBEATS, this.id)]);
    let checking = false;
    this.peerCheck = setInterval(() => {
      if (checking) return;
      checking = true;
      void this.checkPeers(alive).finally(() => (checking = false));
    }, PEER_CHECK_MS).unref();
  }

  /**
   * The instances alive now, compared with the last check: one that vanished without saying it
   * was stopping may have committed messages whose events it never published.
   */
  private async checkPeers(alive: () => Promise<string[]>): Promise<void> {
    let now: Set<string>;
    try {
      now = new Set((await alive()).filter((id) => id !== this.id));
    } catch {
      this.peers = null;
      return;
    }
    if (this.lost) return void (this.peers = null);
    const vanished = this.peers ? [...this.peers].filter((id) => !now.has(id) && !this.leaving.delete(id)) : [];
    this.peers = now;
    if (!vanished.length) return;
    this.log.warn(
      `${vanished.length} instance(s) disparue(s) sans prévenir : les sockets de cette instance se reconnectent (événements qu'elle n'a peut-être pas publiés)`,
    );
    this.reconnectLocalSockets();
  }

  /** Closes the transport of every socket of this instance (not a server disconnect: clients reconnect by themselves). */
  reconnectLocalSockets(): void {
    for (const server of this.servers) for (const socket of server.of('/').sockets.values()) socket.conn.close();
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    if (this.adapterConstructor) server.adapter(this.adapterConstructor);
    this.servers.push(server);
    return server;
  }

  override async close(server: unknown): Promise<void> {
    await super.close(server as never);
    this.servers = this.servers.filter((s) => s !== server);
    clearInterval(this.peerCheck);
    // The others need not resync for a planned stop (its sockets reconnect elsewhere by themselves).
    const leaving = this.stop?.().catch(() => undefined);
    this.stop = undefined;
    // Bounded: QUIT waits for every queued command, which a Redis that just came back may never
    // answer; past 2 s the process goes on closing (and exits) without it.
    await Promise.race([
      Promise.resolve(leaving).then(() => Promise.all(this.clients.map((c) => c.quit().catch(() => undefined)))),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    this.clients = [];
  }
}
