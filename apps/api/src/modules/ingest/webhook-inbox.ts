import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InvalidTwilioPayloadError, MetaPayloadError } from '@guichet/channels';
import { InvalidIdentityError } from '@guichet/contracts';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { AppError } from '../../common/errors';
import { GroupCommit } from '../../common/group-commit';
import { Metrics } from '../../infra/metrics/metrics';
import { WebhookInboxRepository, type InboxEntry, type InboxOutcome, type InboxRow } from './webhook-inbox.repository';

export type { InboxEntry, InboxRow } from './webhook-inbox.repository';

/** Processes one stored webhook; throws to refuse it (a 4xx-kind error) or to try it again later (anything else). */
export type InboxHandler = (row: InboxRow) => Promise<void>;

/** Rows taken per drainer transaction. */
const BATCH = 100;
/** Drainer transactions at once in one instance (each holds a connection while its rows are processed). */
const DRAINERS = 2;
/** How often each instance looks for rows it was not told about (another instance's, a killed one's). */
const POLL_MS = 1_000;
/** How long the storing instance keeps a row it processes from memory to itself (then any drainer may take it). */
const LEASE_SECONDS = 30;
/** Rows processed from memory at once at most; beyond, stored rows go to the drainers. */
const MAX_IN_MEMORY = 500;
/** Temporary failures (the database away…) before a row is failed for good. */
const MAX_ATTEMPTS = 10;
export const DEFAULT_WEBHOOK_BACKLOG_LIMIT = 5_000;
/** What a provider that retries is told to wait when the backlog is full. */
const RETRY_AFTER_SECONDS = 30;

/** A key the unique index takes whatever the provider sent: long ones hashed. */
export const inboxKey = (key: string) => (key.length <= 200 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`);

/** Whether `e` refuses the payload itself (trying again would fail the same way). */
function refusal(e: unknown): boolean {
  if (e instanceof AppError) return e.status < 500;
  if (e instanceof InvalidIdentityError || e instanceof InvalidTwilioPayloadError || e instanceof MetaPayloadError) return true;
  // PostgreSQL data exceptions (22…) and integrity violations (23…) come from the data, not the moment.
  const err = e as { code?: string; driverError?: { code?: string } };
  const code = err.driverError?.code ?? err.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000) || 'erreur inconnue';

/**
 * The webhook inbox (migration WebhookInbox1765095000000): a provider's webhook is acknowledged
 * as soon as its raw body is stored, and processed afterwards, so that the acknowledgement no
 * longer waits for the ingest's queue (issue 18: under load, slow acks made the providers retry,
 * and their retries kept both instances busy for half an hour).
 *
 * - `store`: one INSERT per batch of concurrent webhooks (group commit), deduplicated on the
 *   provider's event id. The instance that stored a row processes it at once from memory under
 *   a lease (LEASE_SECONDS; rows of one order key one after the other) and deletes it after
 *   (autocommit): inbound → agent costs the INSERT's commit more than before, no more. Beyond
 *   MAX_IN_MEMORY rows in flight, or on an instance that does not drain, rows go to the drainers.
 *   A killed instance's leased rows are taken by the drainers once their lease has run out.
 * - Drainers take rows (not leased, or whose lease ran out) in a transaction (FOR UPDATE SKIP LOCKED: several drainers and instances
 *   share the table), process them through the handlers the provider modules registered (the
 *   same code as before, down to the single writer), rows of one order key one after the other,
 *   and delete them in that transaction once processed. A crash before its commit leaves the
 *   rows to the next drainer: processed again, the writer's idempotency (one message per
 *   provider id) stores nothing twice. Every instance polls each second for rows nobody is
 *   processing (another instance's, one killed).
 * - A row whose payload the writer refuses (a 4xx-kind error) is failed with its reason, kept
 *   (visible, counted in /metrics) and never tried again; a temporary failure is tried again,
 *   later each time, and failed after MAX_ATTEMPTS.
 * - `admit` is the back-pressure of providers that retry: 503 + Retry-After above the bound.
 */
@Injectable()
export class WebhookInbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookInbox');
  private readonly handlers = new Map<string, InboxHandler>();
  private readonly inserts = new GroupCommit<InboxEntry, InboxRow | null>((entries) => this.repo.insert(entries), {
    parallel: 2,
    maxBatch: 200,
  });
  private readonly running = new Set<Promise<void>>();
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** The waiting rows as last counted, and when (back-pressure reads it; the poll refreshes it). */
  private backlog = { waiting: 0, at: 0 };
  private counting: Promise<void> | null = null;
  /** Rows processed from memory: the last of each order key (the next one waits for it), how many, and their ends to write. */
  private readonly chains = new Map<string, Promise<void>>();
  private inMemory = 0;
  private ended: InboxOutcome[] = [];
  private ending: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly repo: WebhookInboxRepository,
    metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    metrics.onScrape(async () => metrics.webhookInbox(await this.repo.stats()));
  }

  private get draining(): boolean {
    return this.config.webhooks?.drain !== false;
  }

  /** Which handler processes the rows of a kind (the provider modules call it as they start). */
  handle(kind: string, handler: InboxHandler): void {
    this.handlers.set(kind, handler);
  }

  onApplicationBootstrap(): void {
    // Rows left by a previous run or another instance are taken by the first poll.
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
    this.poll();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // What is being processed ends (and commits); what waits stays for the next instance.
    await Promise.all([...this.running, ...this.chains.values()]);
    await this.ending;
    await this.counting;
  }

  /**
   * Stores a webhook, durably (its transaction committed), once: false when the same event was
   * already stored (a provider's retry), which the caller acknowledges the same.
   */
  async store(entry: InboxEntry): Promise<boolean> {
    // Processed from memory right after its commit, under a lease (no round trip to take it
    // back); when too many are, or this instance does not drain, left to the drainers.
    const now = this.draining && !this.stopped && this.inMemory < MAX_IN_MEMORY;
    const row = await this.inserts.submit({
      ...entry,
      dedupeKey: inboxKey(entry.dedupeKey),
      leaseSeconds: now ? LEASE_SECONDS : 0,
    });
    if (!row) return false;
    // Counted at once here (the poll's count may be a second old).
    this.backlog.waiting++;
    if (now) this.processNow(row);
    else this.wake();
    return true;
  }

  /** A row this instance stored and leased: processed after the earlier ones of its order key, then ended. */
  private processNow(row: InboxRow): void {
    this.inMemory++;
    const next: Promise<void> = (this.chains.get(row.order_key) ?? Promise.resolve())
      .then(() => this.process(row))
      .then((outcome) => this.end(outcome))
      .finally(() => {
        this.inMemory--;
        if (this.chains.get(row.order_key) === next) this.chains.delete(row.order_key);
      });
    this.chains.set(row.order_key, next);
  }

  /**
   * The rows processed from memory, ended together (autocommit: their messages are committed
   * already). If that fails (the database away), their leases run out and a drainer takes them
   * again: processed twice, stored once.
   */
  private end(outcome: InboxOutcome): void {
    this.ended.push(outcome);
    if (this.ending) return;
    this.ending = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      while (this.ended.length) {
        const batch = this.ended.splice(0, 500);
        await this.repo.finish(undefined, batch).catch(() => undefined);
      }
    })().finally(() => {
      this.ending = null;
      if (this.ended.length) this.end(this.ended.pop()!);
    });
  }

  /**
   * Back-pressure, for providers that deliver again what was refused (Meta): 503 with
   * Retry-After once the stored backlog reaches the bound (WEBHOOK_BACKLOG_LIMIT). The count is
   * at most a second old; never called for a provider that does not retry (Twilio).
   */
  admit(): void {
    void this.count();
    const limit = this.config.webhooks?.backlogLimit ?? DEFAULT_WEBHOOK_BACKLOG_LIMIT;
    if (this.backlog.waiting >= limit)
      throw new AppError(
        'unavailable',
        `trop de notifications en attente de traitement (${this.backlog.waiting}) : réessayez plus tard`,
        undefined,
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
  }

  /** Refreshes the backlog's count (one query at a time, at most twice a poll period); resolves once done. */
  private count(): Promise<void> {
    if (this.counting || Date.now() - this.backlog.at < POLL_MS / 2 || this.stopped) return this.counting ?? Promise.resolve();
    const at = Date.now();
    this.counting = this.repo
      .stats()
      .then((s) => {
        this.backlog = { waiting: s.waiting, at };
      })
      // The database is away: the drainers say so; the count stays as it was.
      .catch(() => undefined)
      .finally(() => {
        this.counting = null;
      });
    return this.counting;
  }

  /** Each second: the backlog counted, and drained if some rows wait (another instance's, a killed one's, delayed ones). */
  private poll(): void {
    void this.count().then(() => {
      if (this.backlog.waiting > 0) this.wake();
    });
  }

  /** Starts a drainer if fewer than DRAINERS run; otherwise tells the running ones to look again. */
  wake(): void {
    if (!this.draining || this.stopped) return;
    if (this.running.size >= DRAINERS) {
      this.again = true;
      return;
    }
    const p: Promise<void> = this.drain().finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Batches until none is left (or the instance stops). */
  private async drain(): Promise<void> {
    // The rows stored in this turn of the event loop go in one batch.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      this.again = false;
      let taken: number;
      try {
        taken = await this.drainBatch();
      } catch (e) {
        // The database is away: the rows stay, the poll tries again.
        if (!this.stopped) this.logger.warn(`notifications en attente non traitées (${e instanceof Error ? e.name : typeof e})`);
        return;
      }
      if (this.stopped || (!taken && !this.again)) return;
    }
  }

  /** One transaction: rows taken, processed (one order key after the other), ended. The number taken. */
  private drainBatch(): Promise<number> {
    return this.db.tx(async (m) => {
      const rows = await this.repo.claim(m, BATCH);
      if (!rows.length) return 0;
      const byKey = new Map<string, InboxRow[]>();
      for (const row of rows) {
        const list = byKey.get(row.order_key);
        if (list) list.push(row);
        else byKey.set(row.order_key, [row]);
      }
      const outcomes: InboxOutcome[] = [];
      await Promise.all(
        [...byKey.values()].map(async (list) => {
          for (const row of list) {
            const outcome = await this.process(row);
            outcomes.push(outcome);
            // Tried again later: the key's next rows wait behind it (the claim keeps them there).
            if (!outcome.done && !outcome.failed) break;
          }
        }),
      );
      await this.repo.finish(m, outcomes);
      return rows.length;
    });
  }

  private async process(row: InboxRow): Promise<InboxOutcome> {
    const handler = this.handlers.get(row.kind);
    if (!handler) return { id: row.id, done: false, failed: true, error: `notification de type inconnu : ${row.kind}` };
    try {
      await handler(row);
      return { id: row.id, done: true };
    } catch (e) {
      const failed = refusal(e) || row.attempts + 1 >= MAX_ATTEMPTS;
      const error = refusal(e) ? reasonOf(e) : `${reasonOf(e)} (essai ${row.attempts + 1} sur ${MAX_ATTEMPTS})`;
      // No payload nor reason in the log (they may hold a citizen's data): the row keeps them.
      if (failed) this.logger.warn(`notification ${row.id} (${row.kind}) en échec, conservée avec sa raison`);
      return { id: row.id, done: false, failed, error };
    }
  }
}
