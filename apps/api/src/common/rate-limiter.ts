import { Injectable } from '@nestjs/common';
import { Database } from './database.service';
import { AppError } from './errors';

/**
 * Fixed-window counters in PostgreSQL, so the limit holds across every API instance.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly db: Database) {}

  async hit(key: string, limit: number, windowSeconds: number, message: string): Promise<void> {
    const [row] = await this.db.query<{ hits: number; retry: number }>(
      `INSERT INTO rate_limit (key, window_start, hits)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
       RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS retry`,
      [key, windowSeconds],
    );
    if (row!.hits > limit) {
      throw new AppError('rate_limited', message, undefined, { retryAfterSeconds: Math.max(1, row!.retry) });
    }
  }

  /** Old windows are useless once passed. */
  async purge(): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit WHERE window_start < now() - interval '1 day'`);
  }
}
