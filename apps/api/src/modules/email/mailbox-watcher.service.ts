import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { MailboxSync, type EmailConfig } from '@guichet/channels';
import { CHANNEL_CONFIG_SCHEMAS } from '@guichet/contracts';
import { APP_CONFIG, EMAIL_DEFAULTS, type AppConfig } from '../../config';
import { Metrics } from '../../infra/metrics/metrics';
import { ChannelService } from '../channels/channel.service';
import { EmailIngestService } from './email-ingest.service';
import { EmailRepository } from './email.repository';
import { MailboxLockRepository } from './mailbox-lock.repository';

interface Watcher {
  version: string;
  organizationId: string;
  sync: MailboxSync;
  state: string;
  detail?: string;
}

/**
 * Exactly one IMAP watcher per enabled email channel across all API instances: each is held
 * under a PostgreSQL session advisory lock on a dedicated connection. When the holder dies its
 * connection ends, the lock is freed and another instance takes the mailbox at its next refresh.
 */
@Injectable()
export class MailboxWatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Mailboxes');
  private readonly watchers = new Map<string, Watcher>();
  private readonly locks: MailboxLockRepository;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private refreshes = 0;

  constructor(
    private readonly repo: EmailRepository,
    private readonly channels: ChannelService,
    private readonly emailIngest: EmailIngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    metrics.onScrape(() => {
      metrics.mailboxWatchers.reset();
      for (const w of this.watchers.values()) metrics.mailboxWatchers.inc({ state: w.state });
    });
    this.locks = new MailboxLockRepository(config.databaseUrl, () => {
      // Without the connection the locks are gone: another instance may already watch these mailboxes.
      this.logger.warn('connexion des verrous de boîtes perdue : arrêt des surveillances de cette instance');
      void this.stopAll(false);
    });
  }

  onApplicationBootstrap(): void {
    // RUN_JOBS=0: this instance serves HTTP only, no mailbox watchers.
    if (!this.config.runJobs) return;
    this.channels.onChanged((kind) => kind === 'email' && this.refresh());
    this.schedule(50);
  }

  /** Channel ids this instance watches now (tests, health). */
  activeChannelIds(): string[] {
    return [...this.watchers.keys()];
  }

  /** Refreshes completed since this instance started, each having taken every free mailbox it was to watch (tests). */
  refreshCount(): number {
    return this.refreshes;
  }

  status(channelId: string): { state: string; detail?: string } | null {
    const w = this.watchers.get(channelId);
    return w ? { state: w.state, detail: w.detail } : null;
  }

  /** Re-read channels now (after an API edit) instead of at the next refresh. */
  refresh(): void {
    if (this.config.runJobs && !this.stopped) this.schedule(0);
  }

  /** Wakes a channel's watcher (an admin retried a quarantined mail, for instance). */
  wake(channelId: string): void {
    this.watchers.get(channelId)?.sync.wake();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking ??= this.tick()
        .then(() => void this.refreshes++)
        .catch((e) => this.logger.warn(`surveillance des boîtes : ${String(e)}`))
        .finally(() => {
          this.ticking = null;
          this.schedule(this.config.email?.watcherRefreshMs ?? EMAIL_DEFAULTS.watcherRefreshMs);
        });
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map((await this.repo.enabledEmailChannels()).map((c) => [c.id, c]));
    await this.locks.open();
    for (const [id, w] of this.watchers) {
      const c = wanted.get(id);
      if (!c || c.version !== w.version) {
        await this.stopWatcher(id, !c);
      }
    }
    for (const c of wanted.values()) {
      if (this.stopped || this.watchers.has(c.id)) continue;
      // A channel without a usable config (created empty, or invalid) is not watched, nor locked.
      if (this.invalid.get(c.id) === c.version) continue;
      const channel = await this.channels.resolve(null, c.id);
      if (!channel || !CHANNEL_CONFIG_SCHEMAS.email.safeParse(channel.config).success) {
        this.invalid.set(c.id, c.version);
        this.logger.warn(`canal e-mail ${c.id} : configuration incomplète ou invalide, boîte non surveillée`);
        continue;
      }
      const held = this.heldLocks.has(c.id);
      if (!held) {
        if (!(await this.locks.tryLock(c.id))) continue;
        this.heldLocks.add(c.id);
      }
      await this.startWatcher(c.id, c.version);
    }
  }

  private readonly heldLocks = new Set<string>();
  private readonly invalid = new Map<string, string>();

  private async startWatcher(channelId: string, version: string): Promise<void> {
    const channel = await this.channels.resolve(null, channelId);
    if (!channel || channel.kind !== 'email' || !channel.enabled) return;
    const config = channel.config as EmailConfig;
    const ref = { id: channel.id, organizationId: channel.organizationId, config };
    const watcher: Watcher = {
      version,
      organizationId: channel.organizationId,
      state: 'starting',
      sync: new MailboxSync(
        config,
        {
          loadCursor: (folder) => this.repo.cursor(channelId, folder),
          saveCursor: (folder, cursor) => this.repo.saveCursor(channelId, folder, cursor),
          onMessage: async (mail) => {
            await this.emailIngest.process(ref, mail);
            // A re-read folder (UIDVALIDITY change) is old mail, not lag.
            if (mail.internalDate && !mail.resync) this.metrics.mailStored((Date.now() - mail.internalDate.getTime()) / 1000);
          },
          onSkipped: async (skip) => {
            await this.repo.recordEvent({
              organizationId: channel.organizationId,
              channelId,
              folder: skip.folder,
              uid: skip.uid,
              kind: skip.kind,
              externalId: null,
              reason: skip.reason,
              raw: null,
            });
          },
          onState: (state, detail) => {
            watcher.state = state;
            watcher.detail = detail;
            if (state === 'error') this.logger.warn(`boîte ${config.address} (${channelId}) : ${detail}`);
          },
        },
        {
          pollIntervalMs: this.config.email?.pollIntervalMs ?? EMAIL_DEFAULTS.pollIntervalMs,
          minBackoffMs: 500,
          maxBackoffMs: 30_000,
        },
      ),
    };
    this.watchers.set(channelId, watcher);
    watcher.sync.start();
  }

  private async stopWatcher(channelId: string, release: boolean): Promise<void> {
    const w = this.watchers.get(channelId);
    this.watchers.delete(channelId);
    if (w) await w.sync.stop().catch(() => undefined);
    if (release && this.heldLocks.delete(channelId)) {
      await this.locks.unlock(channelId);
    }
  }

  private async stopAll(release: boolean): Promise<void> {
    const ids = [...this.watchers.keys()];
    if (!release) this.heldLocks.clear();
    await Promise.all(ids.map((id) => this.stopWatcher(id, release)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking?.catch(() => undefined);
    await this.stopAll(true);
    await this.locks.close();
  }
}
