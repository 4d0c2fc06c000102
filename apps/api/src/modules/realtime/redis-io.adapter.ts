import { IoAdapter } from '@nestjs/platform-socket.io';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * With REDIS_URL, every API instance delivers every event to every agent (socket.io Redis adapter).
 *
 * Redis may restart or drop the connection: the clients reconnect by themselves (an `error`
 * listener keeps the process alive meanwhile — without one, node-redis's `error` event would end
 * it). Events published while the subscription was down never reached this instance's sockets, so
 * once it is back every local socket's connection is closed: the clients reconnect and, as after
 * any reconnect, read their lists again (apps/web use-realtime.ts).
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly log = new Logger('Realtime');
  private adapterConstructor?: ReturnType<typeof createAdapter>;
  private clients: { quit(): Promise<unknown> }[] = [];
  private servers: Server[] = [];

  constructor(app: INestApplicationContext) {
    super(app);
  }

  async connect(url: string): Promise<void> {
    const pub = createClient({ url });
    const sub = pub.duplicate();
    let lost = false;
    for (const [name, client] of [
      ['publication', pub],
      ['abonnement', sub],
    ] as const) {
      client.on('error', (e: unknown) => {
        if (!lost) this.log.warn(`Redis (${name}) injoignable : ${String(e)} ; reconnexion en cours`);
        if (client === sub) lost = true;
      });
    }
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
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
          if (!lost) this.log.warn(`Redis : publication perdue (${String(e)})`);
          return 0;
        }),
    });
    await Promise.all([pub.connect(), sub.connect()]);
    this.clients = [pub, sub];
    this.adapterConstructor = createAdapter(pub, sub);
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
    // Bounded: QUIT waits for every queued command, which a Redis that just came back may never
    // answer; past 2 s the process goes on closing (and exits) without it.
    await Promise.race([
      Promise.all(this.clients.map((c) => c.quit().catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
    this.clients = [];
  }
}
