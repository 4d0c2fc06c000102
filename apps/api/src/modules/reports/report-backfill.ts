import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { JobQueue } from '../../infra/jobs/job-queue';
import { ReportAggregates } from './report-aggregates';
import { ReportsRepository } from './reports.repository';

const QUEUE = 'reports-backfill';
const BATCH = 1000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Counts, once, the files written before the reports' marks existed (an upgraded installation):
 * every conversation and call is marked for the fold, by batches in primary-key order, each
 * batch folded before the next is marked. The fold recounts by a difference (idempotent), so a
 * run cut short and started again, or one racing the periodic fold, counts nothing twice. The
 * mark is written when the walk has ended.
 */
@Injectable()
export class ReportBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReportBackfill');

  constructor(
    private readonly db: Database,
    private readonly repo: ReportsRepository,
    private readonly aggregates: ReportAggregates,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(QUEUE, { retryLimit: 5, expireInSeconds: 3600 }, () => this.run().then(() => undefined));
    if (this.config.runJobs && !(await this.repo.backfillDone())) await this.queue.send(QUEUE, {});
  }

  /** Walks every conversation not yet marked done; answers how many it recounted. */
  async run(): Promise<number> {
    if (await this.repo.backfillDone()) return 0;
    let after = FIRST_ID;
    let n = 0;
    for (;;) {
      const { last, n: marked } = await this.repo.markAfter(after, BATCH);
      if (!last) break;
      await this.aggregates.foldNow();
      n += marked;
      after = last;
    }
    await this.db.tx((m) => this.repo.claimBackfill(m));
    if (n) this.logger.log(`rapports : ${n} conversations existantes comptées`);
    return n;
  }
}
