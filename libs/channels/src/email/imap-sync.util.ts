import type { ChannelConfig } from '@guichet/contracts';
import type { ImapFlow } from 'imapflow';
import { describeConnectionError, imapClient } from './imap-client.util';

type EmailConfig = ChannelConfig<'email'>;

/** Sync state of one folder: a cursor, not a time window. BigInts are kept as strings. */
export interface FolderCursor {
  uidValidity: string;
  highestUid: number;
  highestModseq: string | null;
}

export interface FetchedMail {
  folder: string;
  uid: number;
  source: Buffer;
  internalDate?: Date;
  /** True when the folder is being re-read after a UIDVALIDITY change (dedupe by Message-ID). */
  resync: boolean;
}

export interface MailboxSyncHandlers {
  loadCursor(folder: string): Promise<FolderCursor | null>;
  saveCursor(folder: string, cursor: FolderCursor): Promise<void>;
  /**
   * Must store or quarantine the message before resolving: the cursor moves past it right after.
   * Throwing means a temporary failure (database down): the watcher reconnects and retries it.
   */
  onMessage(mail: FetchedMail): Promise<void>;
  onState?(state: 'connecting' | 'synced' | 'idle' | 'error' | 'stopped', detail?: string): void;
  /**
   * Mail left in the mailbox and not imported: older than the import limit at the first connection
   * (one record for all, on the newest of them), or returned by the server without its source.
   * Recorded before the cursor moves past it; nothing is left without a trace.
   */
  onSkipped?(skip: { folder: string; uid: number; kind: 'older-than-limit' | 'no-source'; reason: string }): Promise<void>;
}

export interface MailboxSyncOptions {
  batchSize?: number;
  /** Bytes of mail sources per batch at most (one batch is stored while the next is fetched). */
  batchBytes?: number;
  /** Senders whose mail is stored at the same time (one sender's mail is always stored in order). */
  concurrency?: number;
  /** Re-check every folder at least this often (servers without IDLE, folders other than the first). */
  pollIntervalMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** UIDs whose sizes one FETCH reads. */
const SIZE_CHUNK = 500;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** The From address of a raw message (lower-cased), to keep one sender's mail in order. */
export function senderOf(source: Buffer): string | null {
  const head = source
    .subarray(0, Math.min(source.length, 16 * 1024))
    .toString('latin1')
    .split(/\r?\n\r?\n/, 1)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  const from = /^from:(.*)$/im.exec(head)?.[1];
  const address = from ? (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /([^\s<>",;]+@[^\s<>",;]+)/.exec(from)?.[1]) : undefined;
  return address ? address.toLowerCase() : null;
}

/**
 * The UIDs of the next FETCH batch from `from`: at most `maxCount` mails and `maxBytes` bytes, but
 * always at least one mail (a mail bigger than `maxBytes` goes alone).
 */
export function nextBatch(
  uids: number[],
  from: number,
  sizeOf: (uid: number) => number,
  maxCount: number,
  maxBytes: number,
): number[] {
  const batch: number[] = [];
  let bytes = 0;
  for (let k = from; k < uids.length && batch.length < maxCount; k++) {
    const size = sizeOf(uids[k]!);
    if (batch.length && bytes + size > maxBytes) break;
    batch.push(uids[k]!);
    bytes += size;
  }
  return batch;
}

/** Exponential backoff with jitter: attempt 1 -> ~min, doubling up to max, each delay in [50 %, 100 %]. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * One mailbox: first connection imports what is configured, then IDLE on the first folder with a
 * periodic poll of all folders, reconnecting with backoff. UIDVALIDITY change -> full resync.
 */
export class MailboxSync {
  private stopped = false;
  private pending = false;
  private wakeUp: (() => void) | null = null;
  private client: ImapFlow | null = null;
  private running: Promise<void> | null = null;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;

  constructor(
    private readonly config: EmailConfig,
    private readonly handlers: MailboxSyncHandlers,
    options: MailboxSyncOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.batchBytes = options.batchBytes ?? 64 * 1024 * 1024;
    this.concurrency = options.concurrency ?? 50;
    this.pollMs = options.pollIntervalMs ?? 60_000;
    this.minBackoff = options.minBackoffMs ?? 1_000;
    this.maxBackoff = options.maxBackoffMs ?? 60_000;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Something may have arrived: sync now (EXISTS during IDLE, a retry asked by an admin). */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    const c = this.client;
    if (c) await Promise.race([c.logout().catch(() => undefined), delay(2000)]).finally(() => c.close());
    // A connection attempt stuck on DNS or a silent host must not hold up a shutdown.
    await Promise.race([this.running, delay(3000)]);
  }

  private wait(ms: number, closed?: Promise<void>): Promise<void> {
    if (this.pending || this.stopped) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
      closed?.then(done);
    }).then(() => {
      this.wakeUp = null;
      this.pending = false;
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    const folders = this.config.imap.folders?.length ? this.config.imap.folders : ['INBOX'];
    while (!this.stopped) {
      const client = imapClient(this.config);
      this.client = client;
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      try {
        this.handlers.onState?.('connecting');
        await client.connect();
        client.on('exists', () => this.wake());
        while (!this.stopped && client.usable) {
          this.pending = false;
          for (const folder of folders) await this.syncFolder(client, folder);
          attempt = 0;
          if (this.stopped) break;
          // Select the first folder for IDLE; mail that arrived after its sync shows in UIDNEXT.
          const box = await client.mailboxOpen(folders[0]!, { readOnly: this.config.processed === 'leave' });
          const cursor = await this.handlers.loadCursor(folders[0]!);
          if (
            cursor &&
            cursor.uidValidity === box.uidValidity.toString() &&
            box.uidNext > cursor.highestUid + 1 &&
            box.exists > 0
          ) {
            const fresh = await client.search({ uid: `${cursor.highestUid + 1}:*` }, { uid: true });
            if (fresh && fresh.some((u) => u > cursor.highestUid)) continue;
          }
          this.handlers.onState?.('idle');
          const woken = this.wait(this.pollMs, closed);
          // Runs until the next command (the sync after wake-up) breaks it; NOOP polling without IDLE.
          const idling = client.idle().catch(() => undefined);
          await woken;
          if (!client.usable) break;
          await client.noop().catch(() => undefined);
          await idling;
        }
      } catch (e) {
        if (!this.stopped) this.handlers.onState?.('error', describeConnectionError(e, 'IMAP'));
      } finally {
        client.close();
        this.client = null;
      }
      if (this.stopped) break;
      attempt++;
      await this.wait(backoffDelay(attempt, this.minBackoff, this.maxBackoff));
    }
    this.handlers.onState?.('stopped');
  }

  private async syncFolder(client: ImapFlow, folder: string): Promise<void> {
    const box = await client.mailboxOpen(folder, { readOnly: this.config.processed === 'leave' });
    const validity = box.uidValidity.toString();
    const stored = await this.handlers.loadCursor(folder);
    const resync = !!stored && stored.uidValidity !== validity;
    const cursor: FolderCursor =
      stored && !resync ? { ...stored } : { uidValidity: validity, highestUid: 0, highestModseq: null };
    const modseq = box.highestModseq?.toString() ?? null;
    if (box.exists === 0 || box.uidNext <= cursor.highestUid + 1) {
      if (!stored || resync || stored.highestModseq !== modseq)
        await this.handlers.saveCursor(folder, { ...cursor, highestModseq: modseq });
      return;
    }
    let uids: number[];
    let floor = 0;
    if (!stored && this.config.importSinceDays !== undefined) {
      // First connection with a limit: older mail is skipped for good.
      const since = new Date(Date.now() - this.config.importSinceDays * 86_400_000);
      const all = (await client.search({ all: true }, { uid: true })) || [];
      floor = all.reduce((max, u) => (u > max ? u : max), 0);
      uids = (await client.search({ since }, { uid: true })) || [];
      const recent = new Set(uids);
      const older = all.filter((u) => !recent.has(u));
      if (older.length)
        await this.handlers.onSkipped?.({
          folder,
          uid: older.reduce((max, u) => (u > max ? u : max), 0),
          kind: 'older-than-limit',
          reason: `${older.length} message${older.length > 1 ? 's' : ''} reçu${older.length > 1 ? 's' : ''} avant le ${since.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })} laissé${older.length > 1 ? 's' : ''} dans le dossier ${folder} sans import : le canal n’importe à sa première connexion que les ${this.config.importSinceDays} derniers jours`,
        });
    } else {
      uids = (await client.search({ uid: `${cursor.highestUid + 1}:*` }, { uid: true })) || [];
    }
    uids = uids.filter((u) => u > cursor.highestUid).sort((a, b) => a - b);
    // Sizes (RFC822.SIZE, from the server's index) are read ahead of the sources, a few hundred
    // UIDs at a time, so that a batch of big mails stays within `batchBytes` in memory.
    const sizes = new Map<number, number>();
    let sized = 0;
    const fetchBatch = async (from: number) => {
      for (; sized < Math.min(uids.length, from + this.batchSize); sized += SIZE_CHUNK) {
        const chunk = uids.slice(sized, sized + SIZE_CHUNK).join(',');
        for (const m of await client.fetchAll(chunk, { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
      }
      const batch = nextBatch(uids, from, (uid) => sizes.get(uid) ?? 0, this.batchSize, this.batchBytes);
      const mails = await client.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
      return { from, batch, mails };
    };
    const prefetch = (from: number) => {
      const p = fetchBatch(from);
      p.catch(() => undefined); // awaited below, unless the sync stops first
      return p;
    };
    // The next batch is fetched while this one is stored (imapflow queues the commands).
    let next = uids.length ? prefetch(0) : null;
    while (next && !this.stopped) {
      const { from, batch, mails: fetched } = await next;
      const mails = fetched.sort((a, b) => a.uid - b.uid);
      next = from + batch.length < uids.length ? prefetch(from + batch.length) : null;
      // One lane per sender, in UID order within a lane (a citizen's reply never overtakes the mail
      // it answers); different senders are stored concurrently.
      const lanes = new Map<string, typeof mails>();
      for (const m of mails) {
        if (!m.source) {
          await this.handlers.onSkipped?.({
            folder,
            uid: m.uid,
            kind: 'no-source',
            reason: 'le serveur IMAP n’a pas renvoyé la source de ce message : laissé dans la boîte, non importé',
          });
          continue;
        }
        const key = senderOf(m.source) ?? `uid:${m.uid}`;
        lanes.set(key, [...(lanes.get(key) ?? []), m]);
      }
      const queue = [...lanes.values()];
      const done: number[] = [];
      let failure: unknown = null;
      const worker = async () => {
        for (let lane = queue.shift(); lane && !this.stopped && !failure; lane = queue.shift()) {
          for (const m of lane) {
            if (this.stopped || failure) break;
            const internalDate = m.internalDate ? new Date(m.internalDate) : undefined;
            try {
              await this.handlers.onMessage({ folder, uid: m.uid, source: m.source!, internalDate, resync });
              done.push(m.uid);
            } catch (e) {
              failure = e;
            }
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
      if (failure) throw failure;
      if (this.stopped) return;
      // Saved once per batch, when all of it is stored: after a crash at most one batch is fetched again, deduplicated.
      cursor.highestUid = Math.max(cursor.highestUid, ...batch);
      await this.handlers.saveCursor(folder, cursor);
      done.sort((x, y) => x - y);
      if (done.length && this.config.processed === 'seen')
        await client.messageFlagsAdd(done.join(','), ['\\Seen'], { uid: true });
      if (done.length && this.config.processed === 'move' && this.config.moveTo)
        await client.messageMove(done.join(','), this.config.moveTo, { uid: true });
    }
    if (this.stopped) return;
    cursor.highestUid = Math.max(cursor.highestUid, floor);
    cursor.highestModseq = modseq;
    await this.handlers.saveCursor(folder, cursor);
    this.handlers.onState?.('synced', folder);
  }
}
