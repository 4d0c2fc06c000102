import { Client } from 'pg';

const lockKey = (channelId: string) => `guichet:mailbox:${channelId}`;

/**
 * PostgreSQL session advisory locks, one per watched mailbox, on a dedicated connection: when
 * the holder dies its connection ends and the locks are freed. `onLost` is called when the
 * connection ends while in use (the locks are gone then); the next `tryLock` reconnects.
 */
export class MailboxLockRepository {
  private client: Client | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly onLost: () => void,
  ) {}

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: 'guichet-mailbox-locks',
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.onLost();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    // The server notices a vanished holder (frozen machine, cut network) in about 25 s.
    await client
      .query(`SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3`)
      .catch(() => undefined);
    this.client = client;
    return client;
  }

  /** Opens the connection if it is not open (each refresh, so a lost one comes back). */
  async open(): Promise<void> {
    await this.connect();
  }

  /** Takes the mailbox's lock if no instance holds it. */
  async tryLock(channelId: string): Promise<boolean> {
    const client = await this.connect();
    const [row] = (await client.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [lockKey(channelId)])).rows;
    return Boolean(row?.ok);
  }

  /** Frees the mailbox's lock (nothing to do when the connection is gone: so is the lock). */
  async unlock(channelId: string): Promise<void> {
    await this.client?.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey(channelId)]).catch(() => undefined);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
