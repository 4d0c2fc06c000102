import { Injectable } from '@nestjs/common';
import { AppError } from './errors';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Fixed-window counters in PostgreSQL, so the limit holds across every API instance.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly repo: RateLimitRepository) {}

  async hit(key: string, limit: number, windowSeconds: number, message: string): Promise<void> {
    const row = await this.repo.hit(key, windowSeconds);
    if (row.hits > limit) {
      throw new AppError('rate_limited', message, undefined, { retryAfterSeconds: Math.max(1, row.retry) });
    }
  }

  /** Old windows are useless once passed. */
  purge(): Promise<void> {
    return this.repo.purge();
  }
}
