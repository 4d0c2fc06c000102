import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';

export const META_QUEUES = {
  /** Download attachment bytes from Meta's CDN into the blob store. */
  attachments: 'meta-attachments',
  /** Look up a sender's name and picture once. */
  profile: 'meta-profile',
  /** Fetch a commented post's text and link. */
  post: 'meta-post',
  /** Public comment replies and private replies. */
  commentSend: QUEUES.metaCommentSend,
} as const;

export const META_RETRY_LIMIT = 6;

type Handler = (job: Job<never>) => Promise<void>;

/**
 * The Meta queues on the shared job queue (started in its onModuleInit): created, and their
 * workers registered, in onApplicationBootstrap.
 */
@Injectable()
export class MetaQueue implements OnApplicationBootstrap {
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registers a worker (MetaJobs, at construction). */
  handle<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>): void {
    this.handlers.set(name, handler as unknown as Handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(META_QUEUES.attachments, { retryLimit: META_RETRY_LIMIT, expireInSeconds: 300 });
    for (const name of [META_QUEUES.profile, META_QUEUES.post, META_QUEUES.commentSend]) {
      await this.queue.ensureQueue(name, { retryLimit: META_RETRY_LIMIT });
    }
    if (!this.config.runJobs) return;
    for (const [name, handler] of this.handlers) {
      await this.queue.work(name, handler);
    }
  }

  send(name: string, data: object): Promise<void> {
    return this.queue.send(name, data);
  }

  sendInTx(manager: EntityManager, name: string, data: object): Promise<void> {
    return this.queue.sendInTx(manager, name, data);
  }
}
