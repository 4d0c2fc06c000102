import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { domainEvent } from '../events/domain-events';
import { DeadlineService } from './deadline.service';
import { RequestTypeRepository } from './request-type.repository';

/** Files recomputed per transaction: a large town's files in progress are done in short steps. */
const BATCH = 200;

/** The job's data (QUEUES.dueDatesRecompute): whose files in progress are counted again. */
export interface RecomputeJob {
  organizationId: string;
  /** Only this service's files (its opening hours or response targets changed); all the organization's otherwise. */
  teamId?: string;
  /** The last file done (keyset on id): the next step starts after it. */
  after?: string;
}

/**
 * Due dates computed again when what they were counted with changed: a type's regime or deadline
 * (in the type's own transaction); from a durable job, in batches, that the changing transaction
 * enqueues: the organization's public holidays (Alsace-Moselle), closing days or opening hours,
 * a service's opening hours or response targets. Each file is told as `conversation.updated`
 * (`deadlines`) with the counted state it had, its version kept.
 */
@Injectable()
export class DueDatesRecompute implements OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly writer: ConversationWriter,
    private readonly repo: RequestTypeRepository,
    private readonly deadlines: DeadlineService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define<RecomputeJob>(QUEUES.dueDatesRecompute, { retryLimit: 10, expireInSeconds: 600 }, (job) =>
      this.step(job.data),
    );
  }

  /** One file's due dates again, from its current type and inputs, in the caller's transaction. */
  async recomputeIn(tx: WriterTx, organizationId: string, conversationId: string, typeId: string | null): Promise<void> {
    const before = await this.writer.counted(tx, organizationId, conversationId);
    const changes = await this.deadlines.changes(tx.m, organizationId, conversationId, typeId, {});
    await this.writer.updateConversation(tx, conversationId, changes, true);
    await this.writer.tellConversation(tx, organizationId, conversationId, (conversation) => [
      domainEvent('conversation.updated', organizationId, { conversation, change: 'deadlines', before }),
    ]);
  }

  /** The next batch of the organization's files in progress, and the job of the one after it. */
  async step(job: RecomputeJob): Promise<void> {
    await this.writer.tx(async (tx) => {
      const files = await this.repo.inProgressWithDueDates(
        tx.m,
        job.organizationId,
        job.teamId ?? null,
        job.after ?? null,
        BATCH,
      );
      for (const f of files) await this.recomputeIn(tx, job.organizationId, f.id, f.request_type_id);
      if (files.length === BATCH)
        await this.queue.sendInTx(tx.m, QUEUES.dueDatesRecompute, { ...job, after: files[files.length - 1]!.id });
    });
  }
}
