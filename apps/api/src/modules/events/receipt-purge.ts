import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobQueue } from '../../infra/jobs/job-queue';
import { DomainEventRepository } from './domain-event.repository';

const QUEUE = 'domain-event-receipt-purge';
/** Every hour, by one instance. */
const CRON = '41 * * * *';
/** Receipts are kept two weeks: far beyond any redelivery of a job by the queue. */
export const RECEIPT_DAYS = 14;
const BATCH = 5_000;
/** At most this many batches a run: a backlog goes over several hours, never in one long job. */
const MAX_BATCHES = 20;

/**
 * Bounds the receipts of durable listeners (domain_event_receipt, one row per event and
 * listener): removed by batches once older than RECEIPT_DAYS.
 */
@Injectable()
export class DomainEventReceiptPurge implements OnApplicationBootstrap {
  private readonly logger = new Logger('DomainEvents');

  constructor(
    private readonly repo: DomainEventRepository,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runJobs) return;
    await this.queue.periodic(QUEUE, CRON, { retryLimit: 0, expireInSeconds: 600 }, async () => {
      const n = await this.purge();
      if (n) this.logger.log(`${n} accusé(s) d'écouteur durable de plus de ${RECEIPT_DAYS} jours supprimé(s)`);
    });
  }

  /** One run: the number of receipts removed. */
  async purge(days = RECEIPT_DAYS): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await this.repo.purgeReceipts(days, BATCH);
      total += n;
      if (n < BATCH) break;
    }
    return total;
  }
}
