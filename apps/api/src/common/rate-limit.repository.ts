import { Injectable } from '@nestjs/common';
import { Database } from './database';

/** Fixed-window counters in the rate_limit table. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly db: Database) {}

  /** Counts `count` hits in the current window of `key`; answers the hits so far (these included) and the seconds left. */
  async hit(key: string, windowSeconds: number, count = 1): Promise<{ hits: number; retry: number }> {
    const [row] = await this.db.query<{ hits: number; retry: number }>(
      `INSERT INTO rate_limit (key, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), $3)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + $3
       RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS retry`,
      [key, windowSeconds, count],
    );
    return row!;
  }

  /** Removes windows older than a day. */
  async purge(): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit WHERE window_start < now() - interval '1 day'`);
  }
}
