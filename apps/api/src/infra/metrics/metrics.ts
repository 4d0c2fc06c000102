import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { routePattern, type WithRoutePattern } from '../../common/route-pattern';
import { MetricsRepository } from './metrics.repository';

/** Latency buckets, in seconds, for HTTP answers and the ingest (5 ms to 10 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Messages per ingest transaction (the group commit's batches; at most 50). */
const BATCH_BUCKETS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 50];
/** Mailbox lag buckets, in seconds (from the mail server's arrival time to stored). */
const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];

export type IngestResultLabel = 'stored' | 'duplicate' | 'rejected';
/**
 * `recovered`: an interrupted attempt found at the provider and recorded, not sent again;
 * `interrupted`: one the provider cannot be asked about, left for an agent.
 */
export type OutboundStatusLabel = 'sent' | 'delivered' | 'failed' | 'retry' | 'recovered' | 'interrupted';

/**
 * The Prometheus metrics of one API instance (prom-client), in a registry of its own (tests run
 * several apps in one process). Hot paths only add to counters and histograms whose labelled
 * children are looked up once and kept; what needs a query (queue depth) is read at scrape time.
 */
@Injectable()
export class Metrics implements OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'guichet_http_request_duration_seconds',
    help: 'HTTP answers by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly ingestMessages = new Counter({
    name: 'guichet_ingest_messages_total',
    help: 'Inbound messages handed to the ingest, by channel kind and result',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });
  private readonly ingestDuration = new Histogram({
    name: 'guichet_ingest_duration_seconds',
    help: 'Time from a message reaching the ingest to its transaction committed, by channel kind',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly ingestBatches = new Histogram({
    name: 'guichet_ingest_batch_size',
    help: 'Messages per ingest transaction (group commit: concurrent messages share one guichet_ingest() call)',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  private readonly outboundSends = new Counter({
    name: 'guichet_outbound_sends_total',
    help: 'Replies handed to a provider, by channel kind and outcome (retry: a temporary failure, tried again; recovered: an interrupted send found at the provider; interrupted: left for an agent)',
    labelNames: ['channel', 'status'] as const,
    registers: [this.registry],
  });
  private readonly queueJobs = new Gauge({
    name: 'guichet_queue_jobs',
    help: 'Unfinished jobs of the PostgreSQL job queue, by job kind and state (queued: waiting or retrying)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  private readonly queueAge = new Gauge({
    name: 'guichet_queue_oldest_job_age_seconds',
    help: 'How long the oldest job that may start now has waited, by job kind',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly sockets = new Gauge({
    name: 'guichet_socket_connections',
    help: 'Authenticated socket.io connections on this instance',
    registers: [this.registry],
  });
  readonly mailboxWatchers = new Gauge({
    name: 'guichet_mailbox_watchers',
    help: 'Mailboxes this instance watches, by watcher state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly mailboxLag = new Histogram({
    name: 'guichet_mailbox_lag_seconds',
    help: 'Time from a mail reaching the mail server (IMAP INTERNALDATE) to stored in Guichet',
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly poolConnections = new Gauge({
    name: 'guichet_pg_pool_connections',
    help: "The API's PostgreSQL pool: open connections (total, idle) and queries waiting for one",
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly poolMax = new Gauge({
    name: 'guichet_pg_pool_max_connections',
    help: "The API's PostgreSQL pool size",
    registers: [this.registry],
  });

  private readonly inboxRows = new Gauge({
    name: 'guichet_webhook_inbox_rows',
    help: 'Provider webhooks stored and acknowledged, by state (waiting: not processed yet; failed: refused, kept with the reason)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly inboxAge = new Gauge({
    name: 'guichet_webhook_inbox_oldest_age_seconds',
    help: 'How long the oldest waiting webhook of the inbox has waited (0: none waits)',
    registers: [this.registry],
  });

  /** Event-loop delay, sampled every 20 ms (perf_hooks), read and reset at each scrape. */
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });

  /** Labelled children, created once per label set (no per-call label hashing). */
  private readonly children = new Map<string, { inc(): void } | { observe(v: number): void }>();
  private readonly scrapeHooks: (() => void | Promise<void>)[] = [];

  constructor(private readonly repo: MetricsRepository) {
    // Process metrics: the event-loop delay, memory and CPU. (prom-client's collectDefaultMetrics
    // leaves observers behind when an app closes: several apps in one process, in tests, pile up.)
    const loop = this.loopDelay;
    loop.enable();
    new Gauge({
      name: 'nodejs_eventloop_lag_p99_seconds',
      help: 'Event-loop delay, 99th percentile since the previous scrape',
      registers: [this.registry],
      collect() {
        this.set(loop.percentile(99) / 1e9);
      },
    });
    new Gauge({
      name: 'nodejs_eventloop_lag_max_seconds',
      help: 'Event-loop delay, longest since the previous scrape',
      registers: [this.registry],
      collect() {
        this.set(loop.max / 1e9);
      },
    });
    new Gauge({
      name: 'nodejs_eventloop_lag_mean_seconds',
      help: 'Event-loop delay, mean since the previous scrape',
      registers: [this.registry],
      collect() {
        this.set((Number.isNaN(loop.mean) ? 0 : loop.mean) / 1e9);
      },
    });
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    for (const [name, help, field] of [
      ['nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes', 'heapUsed'],
      ['nodejs_heap_size_total_bytes', 'V8 heap committed (in use and free), in bytes', 'heapTotal'],
      ['nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript ones (buffers included), in bytes', 'external'],
    ] as const)
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(process.memoryUsage()[field]);
        },
      });
    new Counter({
      name: 'process_cpu_seconds_total',
      help: 'User and system CPU time spent, in seconds',
      registers: [this.registry],
      collect() {
        const u = process.cpuUsage();
        this.reset();
        this.inc((u.user + u.system) / 1e6);
      },
    });
  }

  /** The delay histogram's sampling timer stops with the app. */
  onModuleDestroy(): void {
    this.loopDelay.disable();
  }

  private child<T>(key: string, make: () => T): T {
    let c = this.children.get(key) as T | undefined;
    if (!c) {
      c = make();
      this.children.set(key, c as never);
    }
    return c;
  }

  /** Express middleware timing every answer by its route pattern (never the raw path: no ids in labels). */
  http(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const route = routePattern(req as WithRoutePattern) ?? 'other';
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        this.child(`h ${req.method} ${route} ${res.statusCode}`, () =>
          this.httpDuration.labels(req.method, route, String(res.statusCode)),
        ).observe(seconds);
      });
      next();
    };
  }

  ingested(channel: string, result: IngestResultLabel, seconds: number): void {
    this.child(`i ${channel} ${result}`, () => this.ingestMessages.labels(channel, result)).inc();
    if (result !== 'rejected') this.child(`id ${channel}`, () => this.ingestDuration.labels(channel)).observe(seconds);
  }

  ingestBatch(size: number): void {
    this.ingestBatches.observe(size);
  }

  /** The batch sizes so far: transactions, messages, and how many transactions had at most `le` messages. */
  async ingestBatchSizes(): Promise<{ batches: number; messages: number; atMost: [le: number, batches: number][] }> {
    const { values } = await this.ingestBatches.get();
    const of = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
    return {
      batches: of('guichet_ingest_batch_size_count'),
      messages: of('guichet_ingest_batch_size_sum'),
      atMost: values
        .filter((v) => v.metricName === 'guichet_ingest_batch_size_bucket' && v.labels.le !== '+Inf')
        .map((v) => [Number(v.labels.le), v.value]),
    };
  }

  outbound(channel: string, status: OutboundStatusLabel): void {
    this.child(`o ${channel} ${status}`, () => this.outboundSends.labels(channel, status)).inc();
  }

  socketOpened(): void {
    this.sockets.inc();
  }

  socketClosed(): void {
    this.sockets.dec();
  }

  mailStored(lagSeconds: number): void {
    this.mailboxLag.observe(Math.max(0, lagSeconds));
  }

  /** `hook` runs before each scrape, to set gauges from a feature's state (mailbox watchers, the webhook inbox). */
  onScrape(hook: () => void | Promise<void>): void {
    this.scrapeHooks.push(hook);
  }

  /** The webhook inbox's backlog (webhook-inbox.ts), read at scrape time. */
  webhookInbox(s: { waiting: number; failed: number; oldest_seconds: number }): void {
    this.inboxRows.set({ state: 'waiting' }, s.waiting);
    this.inboxRows.set({ state: 'failed' }, s.failed);
    this.inboxAge.set(s.oldest_seconds);
  }

  /** The Prometheus text exposition, gauges refreshed first. */
  async scrape(): Promise<string> {
    for (const hook of this.scrapeHooks) {
      try {
        await hook();
      } catch (e) {
        // The database is away: the other metrics still answer (the ready probe says the rest).
        this.logger.warn(`métrique illisible : ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const pool = this.repo.poolUse();
    if (pool) {
      this.poolConnections.set({ state: 'total' }, pool.total);
      this.poolConnections.set({ state: 'idle' }, pool.idle);
      this.poolConnections.set({ state: 'waiting' }, pool.waiting);
      this.poolMax.set(pool.max);
    }
    try {
      const stats = await this.repo.queueStats();
      this.queueJobs.reset();
      this.queueAge.reset();
      for (const s of stats) {
        this.queueJobs.set({ queue: s.name, state: 'queued' }, s.queued);
        this.queueJobs.set({ queue: s.name, state: 'active' }, s.active);
        this.queueAge.set({ queue: s.name }, s.oldest_seconds);
      }
    } catch (e) {
      // The database is away: the other metrics still answer (the ready probe says the rest).
      this.logger.warn(`files de travaux illisibles : ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await this.registry.metrics();
    this.loopDelay.reset();
    return text;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
