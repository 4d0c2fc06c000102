import { Injectable } from '@nestjs/common';
import { AppError } from './errors';
import { KeyedGroupCommit } from './group-commit';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Fixed-window counters in PostgreSQL, so the limit holds across every API instance. Concurrent
 * hits of one key (a crowd behind one address) are counted together in one upsert: each caller
 * gets its own rank in the window, and the counter's row lock is taken once per group instead of
 * once per request.
 */
@Injectable()
export class RateLimiter {
  private readonly hits = new KeyedGroupCommit<null, { hits: number; retry: number }>(
    async (keyAndWindow, items) => {
      const cut = keyAndWindow.lastIndexOf('|');
      const total = await this.repo.hit(keyAndWindow.slice(0, cut), Number(keyAndWindow.slice(cut + 1)), items.length);
      return items.map((_, i) => ({ hits: total.hits - items.length + 1 + i, retry: total.retry }));
    },
    { parallel: 1, maxBatch: 1000 },
  );

  constructor(private readonly repo: RateLimitRepository) {}

  async hit(key: string, limit: number, windowSeconds: number, message: string): Promise<void> {
    const row = await this.hits.submit(`${key}|${windowSeconds}`, null);
    if (row.hits > limit) {
      throw new AppError('rate_limited', message, undefined, { retryAfterSeconds: Math.max(1, row.retry) });
    }
  }

  /** Old windows are useless once passed. */
  purge(): Promise<void> {
    return this.repo.purge();
  }
}
