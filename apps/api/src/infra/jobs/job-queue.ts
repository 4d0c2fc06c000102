import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PgBoss, Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, BULK_SENDS_PER_SECOND, type AppConfig } from '../../config';
import { pgClean } from '../../common/pg-text';
import { currentContext, runInContext, type RequestContext } from '../../common/request-context';
import { chainsOf, runChains } from './job-chains';
import { SendPaceRepository } from './send-pace.repository';

/** The request that queued a job: its id goes with the job, so the job's log lines carry it. */
function withRequestId(data: object): object {
  const c = currentContext();
  return c ? { ...data, requestId: c.requestId } : data;
}

export const QUEUES = {
  outboundSend: 'outbound-send',
  /** A web form citizen's e-mail notice of a reply (outbound/form-reply-notice.worker.ts). */
  formNoticeMail: 'form-notice-mail',
  /** Meta page comment replies, public and private (meta/meta-jobs.ts; created by MetaQueue as `META_QUEUES.commentSend`). */
  metaCommentSend: 'meta-comment-send',
  /** Durable listeners of domain events (modules/events), one job per listener and batch of events. */
  domainEvents: 'domain-events',
  /**
   * An organization's (or one service's) due dates counted again: its public holidays, closing days
   * or opening hours changed, or a service's hours or response targets. request-types works it.
   */
  dueDatesRecompute: 'due-dates-recompute',
} as const;

export const OUTBOUND_RETRY_LIMIT = 6;

/**
 * A job's request context: the request that queued it (its id in the job's data), its organization.
 * A job fired by a cron schedule has no data (null).
 */
export function jobContext(job: Job<object>): RequestContext {
  const data = (job.data ?? {}) as { requestId?: unknown; organizationId?: unknown };
  return {
    requestId: typeof data.requestId === 'string' ? data.requestId : `job:${job.id}`,
    via: 'job',
    ...(typeof data.organizationId === 'string' ? { organizationId: data.organizationId } : {}),
  };
}

/** pg-boss's statements sent on the caller's transaction. */
const inTx = (manager: EntityManager) => ({
  executeSql: async (text: string, values?: unknown[]) => ({ rows: await manager.query(text, values as unknown[]) }),
});

/** How a worker runs a fetched batch (JobQueue.work). */
export interface WorkOptions<T extends object> {
  /** Chains of jobs running at once (1: one job at a time, in queue order). */
  atOnce?: number;
  /**
   * The ordering keys of each job of a batch (one array per job, in the batch's order): jobs that
   * share a key run one after another in queue order; a job without keys may run beside any other.
   */
  keys?: (jobs: Job<T>[]) => string[][] | Promise<string[][]>;
  /** A chain's class (of its first job), and how many chains of one class may run at once. */
  classOf?: (job: Job<T>) => string;
  perClass?: (cls: string) => number;
  /**
   * Jobs run together (`atOnce` > 1): given the first job of each chain of a batch (none of them
   * ordered after another), settles those it can in one go (an outbound group: one commit for
   * their claims, one for their outcomes) and answers what each came to (`failed`: its reason,
   * retried like a failed job); a job it leaves out runs on its own, as the rest of its chain does
   * after it. A group that throws leaves them all to run on their own.
   */
  group?: (jobs: Job<T>[]) => Promise<Map<string, GroupResult>>;
}

/** What a group (WorkOptions.group) made of one of its jobs. */
export type GroupResult = { ok: true } | { ok: false; reason: string };

export interface QueueOptions {
  retryLimit?: number;
  expireInSeconds?: number;
}

/**
 * Durable jobs on PostgreSQL (pg-boss): they survive restarts and spread over instances. A job
 * sent with the caller's transaction commits or rolls back with it (the outbox).
 */
@Injectable()
export class JobQueue implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private boss?: PgBoss;
  /** pg-boss's insert statement per queue (insertStatement). */
  private readonly insertStatements = new Map<string, Promise<string>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pace: SendPaceRepository,
  ) {}

  /** Started before any onApplicationBootstrap hook, where features create queues and workers. */
  async onModuleInit(): Promise<void> {
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: 'pgboss',
      max: 4,
      useListenNotify: true,
      application_name: 'guichet-jobs',
    } as ConstructorParameters<typeof PgBoss>[0]);
    boss.on('error', (e: unknown) => {
      // pg-boss emits plain objects copied from the errors: log their message, not "[object Object]".
      const error = e as { code?: string; message?: string } | undefined;
      // 57P01: the database is shutting down.
      if (error?.code !== '57P01') this.logger.error(error?.message || String(e));
    });
    await boss.start();
    this.boss = boss;
    await this.ensureQueue(QUEUES.outboundSend, { retryLimit: OUTBOUND_RETRY_LIMIT });
    // Created before any feature starts, since writers enqueue into it in their transactions.
    await this.ensureQueue(QUEUES.domainEvents, { retryLimit: 10 });
  }

  /** Creates a queue once (idempotent); retries back off exponentially up to ten minutes. */
  async ensureQueue(name: string, o: QueueOptions = {}): Promise<void> {
    await this.b.createQueue(name, {
      retryLimit: o.retryLimit ?? 5,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 600,
      expireInSeconds: o.expireInSeconds ?? 120,
      notify: true,
    } as never);
  }

  /**
   * The one queue set-up every feature uses at bootstrap: creates the queue (always, since
   * instances that do not run jobs still enqueue), then, on instances that run jobs, schedules
   * it when `cron` is given and works it with `handler`.
   */
  async define<T extends object>(
    name: string,
    o: QueueOptions & { cron?: string },
    handler?: (job: Job<T>) => Promise<void>,
  ): Promise<void> {
    await this.ensureQueue(name, o);
    if (!this.config.runJobs) return;
    if (o.cron) await this.schedule(name, o.cron);
    if (handler) await this.work<T>(name, handler);
  }

  /** Runs `name` on a cron schedule; pg-boss makes one instance fire it each time. */
  async schedule(name: string, cron: string): Promise<void> {
    await this.b.schedule(name, cron, null, { tz: 'Europe/Paris' } as never);
  }

  /**
   * A periodic job: its queue, its cron schedule (one instance fires it each time) and its worker,
   * on an instance that runs jobs.
   */
  async periodic(
    name: string,
    cron: string,
    o: { retryLimit?: number; expireInSeconds?: number },
    run: () => Promise<unknown>,
  ): Promise<void> {
    await this.ensureQueue(name, o);
    await this.schedule(name, cron);
    await this.work(name, async () => void (await run()));
  }

  /**
   * Queues a job outside any transaction (slow follow-up work of a webhook, for instance). Job
   * data is jsonb: what came from outside is cleaned of what it cannot store (pg-text.ts).
   */
  async send(name: string, data: object): Promise<void> {
    await this.b.send(name, pgClean(withRequestId(data)));
  }

  private get b(): PgBoss {
    if (!this.boss) throw new Error('job queue not started');
    return this.boss;
  }

  /** Inserts the job in the caller's transaction. */
  async sendInTx(manager: EntityManager, name: string, data: object): Promise<void> {
    await this.b.send(name, pgClean(withRequestId(data)), { db: inTx(manager) });
  }

  /**
   * A job's data as `send` and `insert` store it (cleaned for jsonb, with the current request's
   * id), for SQL that inserts jobs itself (`insertStatement`).
   */
  jobData(data: object): object {
    return pgClean(withRequestId(data));
  }

  /**
   * pg-boss's own statement inserting jobs into the queue `name`, for SQL that writes its jobs in
   * the same statement as the change they follow (a function run on its own: its transaction is
   * that statement). Its one parameter ($1) is the JSON text of an array of `{data}` (`jobData`).
   * pg-boss is asked once per queue, by running its insert against a recorder instead of the
   * database: the statement is the one `sendManyInTx` would send (its table, the queue's retry and
   * expiry settings, its NOTIFY), whatever pg-boss's version.
   */
  insertStatement(name: string): Promise<string> {
    let sql = this.insertStatements.get(name);
    if (!sql) {
      sql = (async () => {
        let recorded: string | undefined;
        const recorder = {
          executeSql: async (text: string) => {
            recorded = text;
            return { rows: [] };
          },
        };
        await this.b.insert(name, [{ data: {} }], { db: recorder } as never);
        if (!recorded?.includes('$1')) throw new Error(`pg-boss: no insert statement for ${name}`);
        return recorded;
      })();
      sql.catch(() => this.insertStatements.delete(name));
      this.insertStatements.set(name, sql);
    }
    return sql;
  }

  /**
   * Inserts several jobs in the caller's transaction, in one statement; `startAfter`: not worked
   * before then. `paced` (bulk sends: an event's reminders, the notice of its change): the jobs
   * start one after another at the installation's pace (BULK_SENDS_PER_SECOND, all
   * organizations and instances together), after the bulk jobs queued before them, so that a
   * town's 10,000 reminders do not take the machine from the citizens' messages arriving
   * meanwhile. A job queued unpaced (a reply, a confirmation) is not behind them.
   */
  async sendManyInTx(
    manager: EntityManager,
    name: string,
    data: object[],
    o: { startAfter?: Date; paced?: boolean } = {},
  ): Promise<void> {
    if (!data.length) return;
    const perSecond = this.config.bulkSendsPerSecond ?? BULK_SENDS_PER_SECOND;
    const paced = !!o.paced && perSecond > 0;
    if (!paced && data.length === 1 && !o.startAfter) return this.sendInTx(manager, name, data[0]!);
    const from = paced
      ? Math.max((await this.pace.reserve(manager, 'bulk', data.length, perSecond)).getTime(), o.startAfter?.getTime() ?? 0)
      : o.startAfter?.getTime();
    await this.b.insert(
      name,
      data.map((d, i) => ({
        data: pgClean(withRequestId(d)),
        ...(from === undefined ? {} : { startAfter: new Date(from + (paced ? (i * 1000) / perSecond : 0)) }),
      })),
      { db: inTx(manager) },
    );
  }

  /**
   * Runs `handler` for each job. Jobs are fetched in batches and each is settled on its own (a
   * failing job is retried alone); a full batch fetches the next at once, and an idle worker is
   * woken by NOTIFY, with a one-second poll as the backstop.
   *
   * With `atOnce` 1 (the default), a batch of 5 runs one job at a time in queue order. Above, a
   * batch of up to 20 runs as chains (job-chains.ts): jobs sharing an ordering key (`keys`) one
   * after another in queue order, at most `atOnce` chains at once and `perClass` of one class. The
   * next batch is fetched once every job of this one is settled, so no job overtakes one fetched
   * before it with a key in common. A job is claimed by the fetch (pg-boss: `active`, for this
   * worker only) and settled after it ran: a crash leaves it active until it expires, then it is
   * retried. With chains, a job not started by half its expiry (a long chain, a busy machine) or
   * after the worker was told to stop is not run: it is failed, hence retried later, rather than
   * run past its claim. With `group`, the first job of each chain is offered to it first (a
   * batch of one job too), and the rest of each chain runs after the group.
   */
  async work<T extends object>(name: string, handler: (job: Job<T>) => Promise<void>, o: WorkOptions<T> = {}): Promise<void> {
    const atOnce = Math.max(1, Math.floor(o.atOnce ?? 1));
    await this.b.work<T>(
      name,
      {
        batchSize: atOnce > 1 ? 20 : 5,
        perJobResults: true,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 1,
      } as never,
      (async (jobs: Job<T>[]) => {
        const started = Date.now();
        const results = new Map<string, { id: string; status: 'completed' | 'failed'; output?: unknown }>();
        const runOne = async (job: Job<T>): Promise<void> => {
          const late = Date.now() - started > ((job.expireInSeconds || 120) * 1000) / 2;
          if (atOnce > 1 && (job.signal?.aborted || late)) {
            results.set(job.id, { id: job.id, status: 'failed', output: { message: 'non commencé à temps : repris plus tard' } });
            return;
          }
          results.set(job.id, await this.runJob(name, job, handler));
        };
        if (atOnce === 1 || (jobs.length === 1 && !o.group)) {
          for (const job of jobs) await runOne(job);
        } else {
          // Keys that cannot be read (the database busy): the whole batch is one chain, in queue order.
          const keys =
            jobs.length === 1
              ? [[]]
              : await Promise.resolve(o.keys ? o.keys(jobs) : jobs.map(() => [])).catch((e: unknown) => {
                  this.logger.warn(
                    `travaux ${name} : ordre non lu (${e instanceof Error ? e.message : String(e)}), un à la fois`,
                  );
                  return jobs.map(() => ['*']);
                });
          let chains = chainsOf(jobs, (_, i) => keys[i] ?? []);
          if (o.group) {
            const grouped = await this.runGroup(
              name,
              chains.map((c) => c[0]!).filter((j) => !j.signal?.aborted),
              o.group,
            );
            for (const [id, r] of grouped) results.set(id, r);
            chains = chains.map((c) => (grouped.has(c[0]!.id) ? c.slice(1) : c));
          }
          await runChains(chains, { atOnce, classOf: o.classOf, perClass: o.perClass }, runOne);
        }
        return jobs.map((j) => results.get(j.id) ?? { id: j.id, status: 'failed' as const, output: { message: 'non exécuté' } });
      }) as never,
    );
  }

  /**
   * A group's jobs (WorkOptions.group), logged like `runJob`; their results for pg-boss, by job
   * id, for those the group settled (none when it threw: each then runs on its own).
   */
  private async runGroup<T extends object>(
    name: string,
    jobs: Job<T>[],
    group: (jobs: Job<T>[]) => Promise<Map<string, GroupResult>>,
  ): Promise<Map<string, { id: string; status: 'completed' | 'failed'; output?: unknown }>> {
    const settled = new Map<string, { id: string; status: 'completed' | 'failed'; output?: unknown }>();
    if (!jobs.length) return settled;
    const started = Date.now();
    let results: Map<string, GroupResult>;
    try {
      results = await runInContext({ requestId: `jobs:${jobs[0]!.id}`, via: 'job' }, () => group(jobs));
    } catch (e) {
      this.logger.warn(
        `travaux ${name} : groupe de ${jobs.length} en échec (${e instanceof Error ? e.message : String(e)}), un à la fois`,
      );
      return settled;
    }
    for (const job of jobs) {
      const r = results.get(job.id);
      if (!r) continue;
      // Each job's line, as `runJob` writes it, with the request that queued it.
      runInContext(jobContext(job), () => {
        if (r.ok) this.logger.debug(`travail ${name} ${job.id} terminé en ${Date.now() - started} ms (en groupe)`);
        else this.logger.warn(`travail ${name} ${job.id} en échec : ${r.reason}`);
      });
      settled.set(
        job.id,
        r.ok ? { id: job.id, status: 'completed' } : { id: job.id, status: 'failed', output: { message: r.reason } },
      );
    }
    return settled;
  }

  /** One job in its request context (the request that queued it), logged; its result for pg-boss. */
  private async runJob<T extends object>(
    name: string,
    job: Job<T>,
    handler: (job: Job<T>) => Promise<void>,
  ): Promise<{ id: string; status: 'completed' | 'failed'; output?: unknown }> {
    const started = Date.now();
    try {
      await runInContext(jobContext(job), async () => {
        await handler(job);
        this.logger.debug(`travail ${name} ${job.id} terminé en ${Date.now() - started} ms`);
      });
      return { id: job.id, status: 'completed' };
    } catch (e) {
      this.logger.warn(`travail ${name} ${job.id} en échec : ${e instanceof Error ? e.message : String(e)}`);
      return { id: job.id, status: 'failed', output: { message: e instanceof Error ? e.message : String(e) } };
    }
  }

  /** Workers stop (finishing their current job) before the database connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss?.stop({ graceful: true, timeout: 5000 } as never).catch(() => undefined);
    this.boss = undefined;
  }
}
