import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { JobQueue } from '../../infra/jobs/job-queue';
import { ReportAggregatesListener } from './report-aggregates.listener';
import { ReportsRepository } from './reports.repository';

const QUEUE = 'reports-backfill';
const BATCH = 200;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Counts, once, the files written before the reports' listener existed (an upgraded
 * installation, the demo town): every conversation and call goes through the listener's own
 * recount, by batches in primary-key order. The recount is idempotent (it moves the aggregates
 * by a difference), so a run cut short and started again, or one racing the live listener,
 * counts nothing twice. The mark is written when the walk has ended.
 */
@Injectable()
export class ReportBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReportBackfill');

  constructor(
    private readonly db: Database,
    private readonly repo: ReportsRepository,
    private readonly listener: ReportAggregatesListener,
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
      const ids = await this.repo.conversationsAfter(after, BATCH);
      if (!ids.length) break;
      for (const id of ids) await this.db.tx((m) => this.listener.refreshConversation(m, id));
      for (const call of await this.repo.callsOf(ids)) await this.db.tx((m) => this.listener.refreshCall(m, call));
      n += ids.length;
      after = ids[ids.length - 1]!;
    }
    await this.db.tx((m) => this.repo.claimBackfill(m));
    if (n) this.logger.log(`rapports : ${n} conversations existantes comptées`);
    return n;
  }
}
