import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';

const lockKey = (instance: string) => `guichet:instance:${instance}`;

/**
 * This process's name in what it leaves behind (`message.send_instance`), and whether the process
 * that left another name still runs: each instance that sends holds a PostgreSQL session advisory
 * lock named after itself on a dedicated connection, which ends with the process (a SIGKILL: at
 * once; a frozen machine or a cut network: in about 25 s, the keepalives below). During a database
 * restart every instance looks gone until it reconnects: callers add a time margin
 * (outbound.worker.ts `DEAD_ATTEMPT_SETTLE_MS`).
 */
@Injectable()
export class InstancePresence implements OnApplicationShutdown {
  readonly id = `${hostname().slice(0, 24)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
  ) {}

  /** Holds this instance's lock (taken again on a new connection after a lost one); a no-op while held. */
  hold(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: 'guichet-presence',
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    const lost = () => {
      if (this.client === client) this.client = null;
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client
        .query(`SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3`)
        .catch(() => undefined);
      await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [lockKey(this.id)]);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
  }

  /** Whether the instance named `instance` runs: its lock is held (tried, and let go at once when free). */
  async alive(instance: string): Promise<boolean> {
    if (instance === this.id) return true;
    const [row] = await this.db.query<{ free: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free`, [
      lockKey(instance),
    ]);
    return !row?.free;
  }

  /** After the job queue stopped its workers (beforeApplicationShutdown): no send of ours is left then. */
  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
