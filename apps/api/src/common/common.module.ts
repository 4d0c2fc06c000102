import { Global, Module } from '@nestjs/common';
import { Database } from './database';
import { RateLimiter } from './rate-limiter';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Infrastructure with no feature in it: the database helper and the rate limiter. Features
 * publish their own providers from their own modules; nothing here imports a feature.
 */
@Global()
@Module({ providers: [Database, RateLimitRepository, RateLimiter], exports: [Database, RateLimiter] })
export class CommonModule {}
