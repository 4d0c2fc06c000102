import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue';
import { SendPaceRepository } from './send-pace.repository';

/** The durable job queue (pg-boss on PostgreSQL), infrastructure every feature may enqueue on. */
@Global()
@Module({ providers: [JobQueue, SendPaceRepository], exports: [JobQueue] })
export class JobsModule {}
