import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue';

/** The durable job queue (pg-boss on PostgreSQL), infrastructure every feature may enqueue on. */
@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
