import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  adapterFor,
  type ChannelAdapter,
  type FindSentResult,
  type InterruptedSend,
  type OutboundRequest,
  type SendResult,
} from '@guichet/channels';
import { CHANNEL_CAPABILITIES, CHANNEL_IDENTITY } from '@guichet/contracts';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, JOBS_AT_ONCE, type AppConfig } from '../../config';
import { Metrics } from '../../infra/metrics/metrics';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService, type ResolvedChannel } from '../channels/channel.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { OutboundRepository, type OutboundRow, type RequestParts } from './outbound.repository';
import { jobContext, JobQueue, OUTBOUND_RETRY_LIMIT, QUEUES, type GroupResult } from '../../infra/jobs/job-queue';
import { runInContext } from '../../common/request-context';
import type { StatusChange } from '../conversations/conversation-writer.service';
import { replyToken } from './reply-token';
import { signedMediaPath } from '../../common/signed-link';
import { isInfrastructureError } from '../../common/database';
import { InstancePresence } from './instance-presence.repository';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { limitedReason } from '../privacy/processing-restrictions.service';
import { UnwrittenOutcomes } from './unwritten-outcomes';

/** How long a provider may fetch a reply's files from their signed link (Twilio fetches at once; retries stay within). */
const MEDIA_LINK_TTL_SECONDS = 2 * 24 * 3600;
/**
 * How long a send's outcome waits for the database to answer again (a restart, a failover) before
 * its job gives up; longer than the job's expiry would let the queue hand the job to another worker.
 */
const RECORD_PATIENCE_MS = 60_000;
/**
 * An attempt of an instance that is gone is settled once it is this old: its provider call has
 * been answered or abandoned by then (the Twilio and Graph clients time out after 15 s), so what
 * the provider has is what it will ever have of it. Also the margin for an instance that only
 * looks gone (its presence connection lost while the database restarts).
 */
const DEAD_ATTEMPT_SETTLE_MS = 20_000;
/**
 * An attempt this old is over even when its instance still runs: its provider call timed out long
 * ago and its outcome write gave up after RECORD_PATIENCE_MS.
 */
export const ATTEMPT_MAX_MS = 3 * 60_000;
/** How long a run waits for another run's attempt to end before it gives up (retried later with backoff). */
const WAIT_FOR_ATTEMPT_MS = 30_000;
/** Messages the provider may have created before the reply's row (clocks of two machines): this much earlier. */
const PROVIDER_CLOCK_SKEW_MS = 60_000;

export interface OutboundJob {
  messageId: string;
  organizationId: string;
}

/**
 * One message's provider call as a worker makes it (the outbound worker through its channel's
 * adapter; a form's e-mail notice through the organization's mail; a Meta comment reply through
 * the Graph API), and how an interrupted attempt of it is settled (InterruptedSend).
 */
export interface Sender {
  /** What the metrics and logs call it (the channel's kind). */
  kind: string;
  interrupted: InterruptedSend;
  send(): Promise<SendResult>;
  /** `ask`: the provider's messages matching this one, created since `since`. */
  findSent?(since: Date): Promise<FindSentResult>;
}

/** What settling an interrupted attempt came to. */
type Settled =
  | { kind: 'result'; result: SendResult; recovered?: boolean }
  /** Whether the provider has it is not known yet (it could not be asked, another run still sends): later. */
  | { kind: 'unknown'; reason: string }
  /** Nothing left to do here: another run ended it, or it waits for an agent. */
  | { kind: 'none' };

/**
 * Sends queued replies through their channel's adapter. Temporary failures are retried with
 * backoff by the queue; permanent ones (and the last retry) mark the message failed with the
 * provider's reason, pushed live.
 *
 * Up to OUTBOUND_SENDS_AT_ONCE sends at once (default 4; 1: one at a time): the messages of one
 * conversation, and of one citizen (a registrant's reminders and notices of several events), go
 * out one after another in queue order (job-queue.ts `work`, chains). Above 1, the first job of
 * each chain of a fetched batch (up to 20) is sent in a group (`sendGroup`): one commit for their
 * claims and one for their outcomes, their providers called at once; the rest of each chain, and
 * a job the group leaves out, run on their own.
 *
 * Sent once (issue 18). Before the provider is called, the attempt is committed on its own: the
 * message goes from `queued` to `sending`, with the time and this instance (`claim`: one UPDATE,
 * the one round trip this costs; two runs of one job cannot both win it). Then the provider, then
 * `sent` with its id, retried while the database is away (`record`). A run that finds the message
 * `sending` met an attempt whose outcome was never written — its process killed between the
 * provider's answer and the write, its job expired while it still sent, its write failed — and
 * does not send blindly:
 * - while that attempt may still be running (its instance alive, the attempt younger than
 *   ATTEMPT_MAX_MS) it waits for it to end, then stops (or gives up for now: retried later);
 * - otherwise it takes the attempt over (`takeOver`: one run wins) and settles it by channel
 *   (ChannelAdapter.interrupted): Twilio is asked (its Messages list: the message there → `sent`
 *   with its SID, nothing sent; not there → sent now); an e-mail goes again with the same
 *   Message-ID (email.adapter.ts says why); a Meta reply nothing can confirm (no echo recorded its
 *   id) is left `sending` with the reason, shown to agents as interrupted, for them to decide.
 * The other workers that send a Guichet message (a form's e-mail notice, a Meta comment reply)
 * go through the same path (`sendable`, `sendOnce` with their own Sender). The claim is told to
 * agents like any status change (« Envoi en cours », live).
 * The providers set no pace of their own here: Twilio's 429 and SMTP's 4xx are temporary failures,
 * retried with backoff like any other (a Twilio attempt stays `sending`, so its retry asks first;
 * the others go back to `queued`).
 */
@Injectable()
export class OutboundWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('Outbound');
  /** Messages this process is sending right now (its own attempts that are not over). */
  private readonly inFlight = new Set<string>();
  /** Outcomes the provider gave that could not be written (the database away past RECORD_PATIENCE_MS). */
  private readonly unwritten = new UnwrittenOutcomes();

  constructor(
    private readonly repo: OutboundRepository,
    private readonly queue: JobQueue,
    private readonly channels: ChannelService,
    private readonly writer: ConversationWriter,
    private readonly blobs: BlobStore,
    private readonly metrics: Metrics,
    private readonly presence: InstancePresence,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runJobs) return;
    await this.presence.hold();
    await this.queue.work<OutboundJob>(QUEUES.outboundSend, (job) => this.handle(job), {
      atOnce: this.config.outboundSendsAtOnce ?? JOBS_AT_ONCE,
      keys: async (jobs) => {
        const of = await this.repo.orderKeys(jobs.map((j) => j.data.messageId));
        return jobs.map((j) => {
          const r = of.get(j.data.messageId);
          return r ? [`conversation:${r.conversation_id}`, `contact:${r.contact_id}`] : [];
        });
      },
      group: (jobs) => this.sendGroup(jobs),
    });
  }

  /**
   * Sends of several jobs at once, none ordered after another (JobQueue.work `group`: the first
   * job of each chain of a fetched batch), in a fixed number of statements whatever their number:
   * their messages read in one statement, each channel once, their requests' parts in one; their
   * attempts claimed in one statement (one commit, one WAL flush, where each send had its own),
   * told together; the providers called all at once (each call as soon as the claims committed,
   * as `sendOnce` calls right after its claim); their outcomes written in one transaction. Sent
   * once as `sendOnce` sends: the claim is the same statement (a cancelled notice settled by it, a
   * message another run claimed first lost), a crash after it leaves each message `sending` for
   * the next run to settle, an outcome not written is retried while the database is away, then
   * kept for this instance's retry (`recordMany`), and a temporary failure fails its job alone.
   * A job whose message is not plainly sendable (an interrupted attempt to settle, a citizen whose
   * data is limited, its channel disabled, no address) is left out: it runs on its own (`handle`).
   */
  async sendGroup(jobs: Job<OutboundJob>[]): Promise<Map<string, GroupResult>> {
    const settled = new Map<string, GroupResult>();
    const rows = await this.repo.findOutboundMany(jobs.map((j) => j.data));
    const candidates: { job: Job<OutboundJob>; row: OutboundRow }[] = [];
    for (const job of jobs) {
      const row = rows.get(job.data.messageId);
      const sendable = row?.kind === 'message' && (row.status === 'queued' || (row.status === 'sending' && row.error === null));
      // Nothing to do (`handle` would return at once): a note, a message sent or ended, no channel.
      if (!row || !sendable || !row.channel_id) settled.set(job.id, { ok: true });
      else if (row.status === 'queued' && !row.limited_since) candidates.push({ job, row });
    }
    const channels = new Map<string, Promise<ResolvedChannel | null>>();
    const ready: { job: Job<OutboundJob>; row: OutboundRow; channel: ResolvedChannel }[] = [];
    for (const { row } of candidates) {
      const key = `${row.organization_id}:${row.channel_id}`;
      if (!channels.has(key)) channels.set(key, this.channels.resolve(row.organization_id, row.channel_id!));
    }
    for (const c of candidates) {
      const channel = await channels.get(`${c.row.organization_id}:${c.row.channel_id}`)!;
      // A letter stays queued (« à poster »); a disabled channel's message is failed on its own.
      if (channel && CHANNEL_CAPABILITIES[channel.kind].postal) settled.set(c.job.id, { ok: true });
      else if (channel?.enabled) ready.push({ ...c, channel });
    }
    const parts = await this.repo.requestPartsMany(
      ready.map((r) => ({ row: r.row, channel: r.channel, identityKind: CHANNEL_IDENTITY[r.channel.kind] })),
    );
    const sends: { job: Job<OutboundJob>; row: OutboundRow; sender: Sender }[] = [];
    for (const [i, r] of ready.entries()) {
      const prepared = await this.request(r.row, r.channel, parts[i]!);
      // Refused (no address of the channel's kind): failed on its own.
      if ('request' in prepared)
        sends.push({ job: r.job, row: r.row, sender: senderOf(adapterFor(r.channel.kind), prepared.request) });
    }
    if (!sends.length) return settled;

    await this.presence.hold();
    const claims = await this.repo.claimMany(
      sends.map((s) => s.row.id),
      this.presence.id,
    );
    const claimed: typeof sends = [];
    const told: Omit<StatusChange, 'status'>[] = [];
    for (const s of sends) {
      const claim = claims.get(s.row.id);
      // Lost: another run claimed it first; on its own, this job waits for that attempt or finds it ended.
      if (!claim) continue;
      told.push({ organizationId: s.row.organization_id, conversationId: s.row.conversation_id, messageId: s.row.id });
      if (claim === 'claimed') {
        claimed.push(s);
        continue;
      }
      // A registrant's notice cancelled meanwhile: settled `failed` by the claim (issue 17).
      this.metrics.outbound(s.sender.kind, 'failed');
      this.logger.log(`message ${s.row.id}: ${claim.skipped}`);
      this.unwritten.forget(s.row.id);
      settled.set(s.job.id, { ok: true });
    }
    try {
      // Told while the providers are called, awaited before the outcomes are written (as `sendOnce`).
      const telling = this.writer.messageStatusesTold(told).catch((e: unknown) => {
        this.logger.warn(`${told.length} envois en cours non annoncés (${e instanceof Error ? e.message : String(e)})`);
      });
      const results = await Promise.all(
        claimed.map((s) => runInContext(jobContext(s.job), () => this.attempt(s.row.id, s.sender))),
      );
      await telling;
      const writes: (StatusChange & { job: Job<OutboundJob>; outcome: SendResult })[] = [];
      for (const [i, s] of claimed.entries()) {
        const result = results[i]!;
        if (!result.ok && result.temporary && s.job.retryCount < OUTBOUND_RETRY_LIMIT) {
          // As `conclude`: retried by the job; a provider that cannot be asked gets the message back in the queue.
          this.metrics.outbound(s.sender.kind, 'retry');
          this.logger.warn(`message ${s.row.id}: ${result.reason} (nouvel essai)`);
          if (s.sender.interrupted !== 'ask') await this.repo.release(s.row.id, this.presence.id).catch(() => undefined);
          settled.set(s.job.id, { ok: false, reason: result.reason });
          continue;
        }
        this.metrics.outbound(s.sender.kind, result.ok ? result.status : 'failed');
        writes.push({
          job: s.job,
          outcome: result,
          organizationId: s.row.organization_id,
          conversationId: s.row.conversation_id,
          messageId: s.row.id,
          status: result.ok ? result.status : 'failed',
          ...(result.ok ? { externalId: result.externalId } : { error: result.reason }),
        });
      }
      const notWritten = await this.recordMany(writes);
      for (const w of writes) {
        const reason = notWritten.get(w.messageId);
        settled.set(w.job.id, reason === undefined ? { ok: true } : { ok: false, reason });
      }
    } finally {
      for (const s of claimed) this.inFlight.delete(s.row.id);
    }
    return settled;
  }

  /**
   * The outcomes of a group's sends in one transaction (`record` of each, together): retried
   * while the database is away, up to RECORD_PATIENCE_MS, then each kept for this instance's retry.
   * A write refused for another reason (a row the group cannot write) is made again one outcome at
   * a time, so that only that one fails. The reason of each outcome not written, by message id.
   */
  private async recordMany(writes: (StatusChange & { outcome: SendResult })[]): Promise<Map<string, string>> {
    const notWritten = new Map<string, string>();
    if (!writes.length) return notWritten;
    const giveUpAt = Date.now() + RECORD_PATIENCE_MS;
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
      try {
        await this.writer.messageStatuses(writes);
        for (const w of writes) this.unwritten.forget(w.messageId);
        return notWritten;
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        if (!isInfrastructureError(e)) {
          this.logger.warn(`${writes.length} issues d'envoi non enregistrées ensemble (${reason}) : une à une`);
          break;
        }
        if (Date.now() + waitMs > giveUpAt) {
          for (const w of writes) {
            this.unwritten.keep(w.messageId, w.outcome);
            notWritten.set(w.messageId, reason);
          }
          return notWritten;
        }
        this.logger.warn(
          `${writes.length} messages envoyés, issues non enregistrées (${reason}) : nouvel essai dans ${waitMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    for (const w of writes) {
      try {
        await this.record(w.messageId, w.outcome, () =>
          this.writer.messageStatus(w.organizationId, w.conversationId, w.messageId, w.status, {
            error: w.error,
            externalId: w.externalId,
          }),
        );
      } catch (e) {
        notWritten.set(w.messageId, e instanceof Error ? e.message : String(e));
      }
    }
    return notWritten;
  }

  /**
   * The job's message when a run has something to do with it: `queued`, or `sending` without a
   * reason (an attempt to settle). Notes are never sent; a message already sent is not sent twice;
   * one waiting for an agent waits.
   */
  async sendable(job: Job<OutboundJob>): Promise<OutboundRow | undefined> {
    const row = await this.repo.findOutbound(job.data.organizationId, job.data.messageId);
    if (!row || row.kind !== 'message') return undefined;
    if (row.status !== 'queued' && !(row.status === 'sending' && row.error === null)) return undefined;
    return row;
  }

  async handle(job: Job<OutboundJob>): Promise<void> {
    const { organizationId } = job.data;
    const row = await this.sendable(job);
    if (!row?.channel_id) return;
    const channel = await this.channels.resolve(organizationId, row.channel_id);
    // A letter is never sent by a provider: it stays queued (« à poster ») until an agent marks it posted.
    if (channel && CHANNEL_CAPABILITIES[channel.kind].postal) return;
    const kind = channel?.kind ?? 'unknown';
    if (await this.refusedForLimitation(job, row, kind)) return;
    if (!channel?.enabled) {
      const reason = 'canal désactivé ou supprimé';
      if (row.status === 'sending') return this.interrupt(row, kind, `${reason} : vérifiez avant de renvoyer`);
      return this.conclude(job, row, kind, undefined, { kind: 'result', result: { ok: false, temporary: false, reason } });
    }
    const adapter = adapterFor(channel.kind);
    const prepared = await this.prepare(row, channel);
    if ('refused' in prepared) return this.conclude(job, row, kind, adapter, { kind: 'result', result: prepared.refused });
    return this.sendOnce(job, row, senderOf(adapter, prepared.request));
  }

  /**
   * Sends `row` (as `sendable` read it) once through `sender`: claims the attempt (committed before
   * the provider call, told to agents as « Envoi en cours »), or settles an interrupted one, then
   * writes the outcome or fails the job for a retry (see the class). The path of every worker that
   * sends a Guichet message to a provider.
   */
  async sendOnce(job: Job<OutboundJob>, row: OutboundRow, sender: Sender): Promise<void> {
    const { messageId, organizationId } = job.data;
    // The outbound worker checked it before preparing its request; the other workers' sends here.
    if (await this.refusedForLimitation(job, row, sender.kind)) return;
    // Whether this run holds the attempt (claimed or taken over): only then is it this run's to end.
    const held = { attempt: false };
    try {
      let settled: Settled;
      if (row.status === 'queued') {
        await this.presence.hold();
        const claim = await this.repo.claim(messageId, this.presence.id);
        if (typeof claim === 'object') {
          // A registrant's notice whose registration, event or session was cancelled meanwhile:
          // settled `failed` by the claim itself (issue 17), told like any status change.
          this.metrics.outbound(sender.kind, 'failed');
          this.logger.log(`message ${messageId}: ${claim.skipped}`);
          this.unwritten.forget(messageId);
          return await this.tellClaimed(row);
        }
        if (claim === 'claimed') {
          held.attempt = true;
          // Told while the provider is called (the web orders queued < sending < sent, so the
          // outcome's event cannot be undone by this one); awaited before the outcome is written.
          const told = this.tellClaimed(row);
          settled = { kind: 'result', result: await this.attempt(messageId, sender) };
          await told;
        } else {
          // Another run claimed it between the read and the claim: what it is now decides.
          const now = await this.repo.findOutbound(organizationId, messageId);
          if (!now || now.status !== 'sending' || now.error !== null) return;
          settled = await this.settle(now, sender, held);
        }
      } else {
        settled = await this.settle(row, sender, held);
      }
      await this.conclude(job, row, sender.kind, sender, settled);
    } finally {
      if (held.attempt) this.inFlight.delete(messageId);
    }
  }

  /**
   * RGPD art. 18, the last check of every path (replies, acknowledgements, notices, surveys,
   * reminders queued before the limitation): nothing leaves but a rights request's answer. True
   * when the message was refused (failed with the reason, audited).
   */
  private async refusedForLimitation(job: Job<OutboundJob>, row: OutboundRow, kind: string): Promise<boolean> {
    if (row.status !== 'queued' || !row.limited_since) return false;
    const { messageId, organizationId } = job.data;
    const reason = limitedReason(row.limited_since, 'message non envoyé');
    await this.audit.record({
      organizationId,
      agentId: null,
      action: 'contact.processing_refused',
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      data: { messageId, refused: 'send' },
      origin: { ip: null, sessionId: null },
    });
    await this.conclude(job, row, kind, undefined, { kind: 'result', result: { ok: false, temporary: false, reason } });
    return true;
  }

  /**
   * The claim, told like any status change (`message.updated`, change `status`): agents see
   * « Envoi en cours » live, or the notice the claim settled as not sent (a cancelled registration).
   */
  private async tellClaimed(row: OutboundRow): Promise<void> {
    try {
      await this.writer.messageStatusTold(row.organization_id, row.conversation_id, row.id);
    } catch (e) {
      // Only the live display is late (a reload shows it): the send goes on.
      this.logger.warn(`message ${row.id}: envoi en cours non annoncé (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** Writes what the run came to, or fails the job for a retry. */
  private async conclude(
    job: Job<OutboundJob>,
    row: OutboundRow,
    kind: string,
    sender: Pick<Sender, 'interrupted'> | undefined,
    settled: Settled,
  ): Promise<void> {
    const { messageId, organizationId } = job.data;
    if (settled.kind === 'none') return this.unwritten.forget(messageId);
    if (settled.kind === 'unknown') {
      if (job.retryCount < OUTBOUND_RETRY_LIMIT) {
        this.metrics.outbound(kind, 'retry');
        this.logger.warn(`message ${messageId}: ${settled.reason} (nouvel essai)`);
        throw new Error(settled.reason);
      }
      // Out of retries and still not known whether the citizen has it: an agent decides.
      return this.interrupt(row, kind, `issue inconnue (${settled.reason}) : vérifiez avant de renvoyer`);
    }
    const { result } = settled;
    if (!result.ok && result.temporary && job.retryCount < OUTBOUND_RETRY_LIMIT) {
      this.metrics.outbound(kind, 'retry');
      this.logger.warn(`message ${messageId}: ${result.reason} (nouvel essai)`);
      // A provider that can be asked is asked by the retry (a timeout may hide an accepted send);
      // the others' attempt goes back to the queue, sent again as before.
      if (sender?.interrupted !== 'ask') await this.repo.release(messageId, this.presence.id);
      throw new Error(result.reason);
    }
    this.metrics.outbound(kind, settled.recovered ? 'recovered' : result.ok ? result.status : 'failed');
    await this.record(messageId, result, () =>
      this.writer.messageStatus(
        organizationId,
        row.conversation_id,
        messageId,
        result.ok ? result.status : 'failed',
        result.ok ? { externalId: result.externalId } : { error: result.reason },
      ),
    );
  }

  /** The provider call of an attempt this run holds. */
  private attempt(messageId: string, sender: Sender): Promise<SendResult> {
    this.inFlight.add(messageId);
    return sender
      .send()
      .catch((e: unknown): SendResult => ({ ok: false, temporary: true, reason: `erreur réseau : ${String(e)}` }));
  }

  /**
   * A message found `sending`: waits while the attempt may still be running, then takes it over
   * and settles it as its channel can (see the class).
   */
  private async settle(row: OutboundRow, sender: Sender, held: { attempt: boolean }): Promise<Settled> {
    const waitUntil = Date.now() + WAIT_FOR_ATTEMPT_MS;
    let current = row;
    for (;;) {
      const age = current.attempt_age_ms ?? Infinity;
      const instance = current.send_instance;
      let over: boolean;
      if (age >= ATTEMPT_MAX_MS || !instance) over = true;
      else if (instance === this.presence.id) over = !this.inFlight.has(current.id);
      else over = !(await this.presence.alive(instance)) && age >= DEAD_ATTEMPT_SETTLE_MS;
      if (over) {
        await this.presence.hold();
        if (await this.repo.takeOver(current.id, current.attempt_key, this.presence.id)) {
          held.attempt = true;
          break;
        }
      }
      if (Date.now() >= waitUntil) return { kind: 'unknown', reason: 'un autre envoi de ce message est en cours' };
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await this.repo.findOutbound(row.organization_id, row.id);
      if (!now || now.status !== 'sending' || now.error !== null) {
        // Ended by another run (written, or left for an agent): an outcome kept here is stale.
        this.unwritten.forget(row.id);
        return { kind: 'none' };
      }
      current = now;
    }
    this.inFlight.add(row.id);
    this.logger.log(`message ${row.id}: envoi précédent interrompu (${row.send_instance ?? '?'}), repris`);
    const unwritten = this.unwritten.take(row.id);
    if (unwritten) return { kind: 'result', result: unwritten };
    // A registrant's notice cancelled since its claim is not sent again (what the provider has of it stands).
    const again = async (): Promise<Settled> => {
      const withheld = await this.repo.withheldAtTakeOver(row.id);
      if (withheld) return { kind: 'result', result: { ok: false, temporary: false, reason: withheld } };
      return { kind: 'result', result: await this.attempt(row.id, sender) };
    };
    switch (sender.interrupted) {
      case 'resend':
        return again();
      case 'agent':
        // An echo of the first attempt already told its id: it left.
        if (current.external_id)
          return { kind: 'result', result: { ok: true, status: 'sent', externalId: current.external_id }, recovered: true };
        return this.interrupt(
          current,
          sender.kind,
          "impossible de savoir s'il est parti : vérifiez la conversation avant de le renvoyer",
        ).then(() => ({ kind: 'none' }) as const);
      case 'ask': {
        const since = new Date(new Date(current.created_at).getTime() - PROVIDER_CLOCK_SKEW_MS);
        const found = (await sender.findSent?.(since)) ?? { ok: true as const, records: [] };
        if (!found.ok) return { kind: 'unknown', reason: `vérification de l'envoi impossible : ${found.reason}` };
        // The oldest match no other message holds (the same text sent on purpose before is another's).
        const taken = await this.repo.heldExternalIds(
          row.channel_id,
          row.id,
          found.records.map((r) => r.externalId),
        );
        const mine = found.records.find((r) => !taken.has(r.externalId));
        if (mine) return { kind: 'result', result: { ok: true, status: 'sent', externalId: mine.externalId }, recovered: true };
        return again();
      }
    }
  }

  /**
   * The attempt stays `sending`, with the reason (shown « Envoi interrompu : <reason> »): agents see
   * it interrupted and decide (the retry button sends it again).
   */
  private async interrupt(row: OutboundRow, kind: string, reason: string): Promise<void> {
    this.metrics.outbound(kind, 'interrupted');
    this.logger.warn(`message ${row.id}: ${reason}`);
    await this.record(row.id, undefined, () =>
      this.writer.messageStatus(row.organization_id, row.conversation_id, row.id, 'sending', { error: reason }),
    );
  }

  /**
   * Writes a send's outcome, trying again while the database is away (connection lost, restarting,
   * a deadlock): the provider already has the message, and failing the job would leave it to a
   * retry, which would have to ask the provider again (or, where it cannot, an agent). An outcome
   * still unwritten when the job gives up is kept in memory for this instance's retry.
   */
  private async record(messageId: string, outcome: SendResult | undefined, write: () => Promise<unknown>): Promise<void> {
    const giveUpAt = Date.now() + RECORD_PATIENCE_MS;
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
      try {
        await write();
        this.unwritten.forget(messageId);
        return;
      } catch (e) {
        if (!isInfrastructureError(e) || Date.now() + waitMs > giveUpAt) {
          if (outcome) this.unwritten.keep(messageId, outcome);
          throw e;
        }
        this.logger.warn(
          `message ${messageId} envoyé, issue non enregistrée (${e instanceof Error ? e.message : String(e)}) : nouvel essai dans ${waitMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /**
   * Everything the provider call needs, read before the attempt is committed (so that the attempt
   * is only the call), or why the reply cannot go.
   */
  private async prepare(
    row: OutboundRow,
    channel: ResolvedChannel,
  ): Promise<{ request: OutboundRequest } | { refused: SendResult }> {
    return this.request(row, channel, await this.repo.requestParts(row, channel, CHANNEL_IDENTITY[channel.kind]));
  }

  /** `prepare` with its parts read (a group reads all of its sends' parts at once). */
  private async request(
    row: OutboundRow,
    channel: ResolvedChannel,
    { identity, thread, attachments, last_inbound_at }: RequestParts,
  ): Promise<{ request: OutboundRequest } | { refused: SendResult }> {
    const identityKind = CHANNEL_IDENTITY[channel.kind];
    if (identityKind && identity === null)
      return { refused: { ok: false, temporary: false, reason: `le citoyen n'a pas d'identité ${identityKind}` } };
    return {
      request: {
        channel: { id: channel.id, kind: channel.kind, config: channel.config },
        to: identityKind && identity !== null ? { kind: identityKind, value: identity, name: row.contact_name } : null,
        message: {
          id: row.id,
          body: row.body,
          attachments: await Promise.all(
            attachments.map(async (a) => ({
              fileName: a.file_name,
              contentType: a.content_type,
              content: await this.blobs.get(a.sha256),
              url: this.config.publicUrl + signedMediaPath(this.config.appSecret, a.id, MEDIA_LINK_TTL_SECONDS),
            })),
          ),
        },
        conversation: { id: row.conversation_id, reference: row.reference, subject: row.subject, lastInboundAt: last_inbound_at },
        threadExternalIds: thread,
        replyToken: replyToken(this.config.appSecret, row.conversation_id),
        publicUrl: this.config.publicUrl,
      },
    };
  }
}

/** A channel adapter's send of a prepared request, as a Sender. */
function senderOf(adapter: ChannelAdapter, request: OutboundRequest): Sender {
  const findSent = adapter.findSent;
  return {
    kind: adapter.kind,
    interrupted: adapter.interrupted,
    send: () => adapter.send(request),
    findSent: findSent ? (since) => findSent.call(adapter, request, since) : undefined,
  };
}
