import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type {
  ChannelKind,
  IdentityKind,
  MessageRegistrantsResult,
  RegistrationChange,
  RegistrationChannel,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database, type AfterCommit } from '../../common/database';
import { recordSignature } from '../../common/signed-link';
import { registrationPath } from './event-views';
import { APP_CONFIG, type AppConfig } from '../../config';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { ChannelService } from '../channels/channel.service';
import { ContactService } from '../contacts/contact.service';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { AgentMessages } from '../outbound/agent-messages.service';
import {
  atSession,
  MunicipalEventRepository,
  toRegistrationDto,
  type ChangedRegistrationRow,
  type EventRow,
  type RegistrationRow,
  type SessionEventRow,
} from './municipal-event.repository';

export const NOTICE_QUEUE = 'municipal-event-notice';

/** A message of the town hall to a registrant, for `sendMany`. */
export interface OutgoingNotice {
  organizationId: string;
  conversationId: string;
  channel: { id: string; kind: ChannelKind };
  body: string;
  /** Kept in the message's `meta.municipalEvent`. */
  meta: Record<string, unknown>;
}

/**
 * What happened to a registration, told once in the citizen's file (and to them when it matters);
 * `event_cancelled`: the town cancelled the event, and the registration with it.
 */
export type RegistrationNotice =
  'registered' | 'waitlisted' | 'offered' | 'confirmed' | 'cancelled' | 'expired' | 'event_cancelled';

interface NoticeJob {
  organizationId: string;
  registrationId: string;
  notice: RegistrationNotice;
  /** The timeline line only: the citizen was already written to (the agent's message of a cancelled event). */
  quiet?: boolean;
}

/** A notice to enqueue. */
export type RegistrationNoticeItem = Pick<NoticeJob, 'registrationId' | 'notice' | 'quiet'>;

/** A date as the messages to registrants write it: « samedi 13 juin à 14:00 » (Paris time). */
export const when = (d: Date) =>
  d.toLocaleString('fr-FR', {
    timeZone: 'Europe/Paris',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  });
const places = (n: number) => `${n} place${n > 1 ? 's' : ''}`;

/** An event's title in a line, with the date of the session when it has several. */
const titled = (e: EventRow) => `« ${e.title} »${e.sessions.length > 1 ? ` (séance du ${when(e.starts_at)})` : ''}`;

/** The timeline line of each notice (an event of the conversation, never sent). */
const TIMELINE: Record<RegistrationNotice, (e: SessionEventRow, r: RegistrationRow) => string> = {
  registered: (e, r) => `Inscription à l’événement ${titled(e)} : confirmée (${places(r.places)})`,
  waitlisted: (e, r) => `Inscription à l’événement ${titled(e)} : en liste d’attente (${places(r.places)})`,
  offered: (e) => `Place proposée sur la liste d’attente de ${titled(e)}`,
  confirmed: (e) => `Place confirmée pour l’événement ${titled(e)}`,
  cancelled: (e) => `Inscription à l’événement ${titled(e)} annulée`,
  expired: (e) => `Place non confirmée à temps pour ${titled(e)} : inscription close`,
  event_cancelled: (e) =>
    `Inscription à l’événement ${titled(e)} annulée : la mairie a annulé ${e.session_cancelled ? 'la séance' : 'l’événement'}`,
};

/** The message to the citizen (by e-mail or SMS), with their signed link. */
const TO_CITIZEN: Record<RegistrationNotice, (e: SessionEventRow, r: RegistrationRow, link: string) => string> = {
  registered: (e, r, link) =>
    `Bonjour ${r.name}, votre inscription à « ${e.title} » (${when(e.starts_at)}, ${e.place}) est confirmée pour ${places(r.places)}. ` +
    `Pour la voir ou l’annuler : ${link}`,
  waitlisted: (e, r, link) =>
    `Bonjour ${r.name}, « ${e.title} » est complet : vous êtes sur la liste d’attente (position ${r.position ?? '?'}). ` +
    `Nous vous préviendrons si une place se libère. Pour voir ou annuler : ${link}`,
  offered: (e, r, link) =>
    `Bonjour ${r.name}, une place s’est libérée pour « ${e.title} » (${when(e.starts_at)}). ` +
    `Confirmez-la avant le ${when(r.offer_expires_at ?? e.starts_at)} : ${link}`,
  confirmed: (e, r, link) => `Bonjour ${r.name}, votre place pour « ${e.title} » (${when(e.starts_at)}) est confirmée. ${link}`,
  cancelled: (e, r) => `Bonjour ${r.name}, votre inscription à « ${e.title} » est annulée.`,
  expired: (e, r) =>
    `Bonjour ${r.name}, le délai pour confirmer votre place à « ${e.title} » est passé ; votre inscription est close.`,
  event_cancelled: (e, r) =>
    `Bonjour ${r.name}, la mairie a annulé ${e.session_cancelled ? 'la séance du' : '« ' + e.title + ' » :'} ${when(e.starts_at)}${e.session_cancelled ? ` de « ${e.title} »` : ''} ; votre inscription est annulée. Veuillez nous en excuser.`,
};

/** The change the agents' screens are told of, by notice. */
const CHANGE: Record<RegistrationNotice, RegistrationChange> = {
  registered: 'created',
  waitlisted: 'created',
  offered: 'promoted',
  confirmed: 'updated',
  cancelled: 'cancelled',
  expired: 'updated',
  event_cancelled: 'cancelled',
};

/**
 * A reminder's text: the start's date and time, not a time left (« dans 2 h »), which would be
 * wrong by the time a message sent late goes out (a sweep or a provider's retry behind), nor its
 * schedule's « 48 h » when it was claimed later than that.
 */
export const reminderText = (title: string, startsAt: Date, place: string) =>
  `Rappel : « ${title} » a lieu le ${when(startsAt)}, ${place}. En cas d’empêchement, annulez avec le lien reçu à l’inscription.`;

/** The date and time of an event as told to its registrants: its start, and its end when it has one. */
const span = (e: EventRow) => `${when(e.starts_at)}${e.ends_at ? ` (fin : ${when(e.ends_at)})` : ''}`;

/** What changed of an event that its registrants are told of (date and time, place), old and new, in French. */
export function changeLines(before: EventRow, after: EventRow): string[] {
  const lines: string[] = [];
  const moved =
    before.starts_at.getTime() !== after.starts_at.getTime() ||
    (before.ends_at?.getTime() ?? null) !== (after.ends_at?.getTime() ?? null);
  if (moved) lines.push(`Date et heure : ${span(after)}, au lieu de ${span(before)}.`);
  if (before.place.trim() !== after.place.trim()) lines.push(`Lieu : ${after.place}, au lieu de ${before.place}.`);
  return lines;
}

/** `registration.changed` of these registrations as they stand, each with its change. */
function changedEvents(
  organizationId: string,
  rows: ChangedRegistrationRow[],
  changeOf: (r: ChangedRegistrationRow) => RegistrationChange,
): DomainEvent<'registration.changed'>[] {
  return rows.map((r) =>
    domainEvent('registration.changed', organizationId, {
      registration: toRegistrationDto(r),
      teamId: r.team_id,
      places: {
        eventId: r.event_id,
        capacity: r.capacity,
        bookedPlaces: r.booked_places,
        availablePlaces: Math.max(0, r.capacity - r.booked_places),
        waitlistedPlaces: r.waitlisted_places,
        session: {
          id: r.session_id,
          capacity: r.session_capacity,
          bookedPlaces: r.session_booked_places,
          availablePlaces: Math.max(0, r.session_capacity - r.session_booked_places),
          waitlistedPlaces: r.session_waitlisted_places,
        },
      },
      change: changeOf(r),
    }),
  );
}

/**
 * A registrant's channel: the one they chose (RegistrationChannel) when the town has it open and
 * they did not refuse it, else e-mail when they gave one and the town can send e-mail, else SMS.
 */
const BY_EMAIL = { kind: 'email', identity: 'email', field: 'email' } as const;
const BY_SMS = { kind: 'sms', identity: 'phone', field: 'phone' } as const;
const CHANNEL_ORDER: Record<RegistrationChannel, readonly (typeof BY_EMAIL | typeof BY_SMS)[]> = {
  email: [BY_EMAIL, BY_SMS],
  sms: [BY_SMS, BY_EMAIL],
};

/**
 * The citizen's side of a registration: the registrant is a contact (ContactService.resolve), the
 * registration has its conversation in the event's service, where each change appears as an event
 * of the timeline and each message to the citizen goes out through the outbound pipeline (so a
 * reply comes back to the inbox). All through the ConversationWriter; run from a durable job
 * written with the change (at most one notice of each kind per registration: `notified`).
 */
@Injectable()
export class RegistrantNotices implements OnApplicationBootstrap {
  private readonly logger = new Logger('RegistrantNotices');

  constructor(
    private readonly db: Database,
    private readonly repo: MunicipalEventRepository,
    private readonly queue: JobQueue,
    private readonly writer: ConversationWriter,
    private readonly contacts: ContactService,
    private readonly channels: ChannelService,
    private readonly agentMessages: AgentMessages,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A registration group's statement writes its notice jobs, not the jobs of durable listeners (announceCommitted).
    if (this.events.hasDurable('registration.changed'))
      throw new Error('registration.changed : un écouteur durable devrait être écrit par municipal_event_register');
    await this.queue.define<NoticeJob>(NOTICE_QUEUE, { retryLimit: 10 }, (job) => this.handle(job.data));
  }

  /** A notice job's data, for SQL that writes the job itself (municipal_event_register). */
  jobData(organizationId: string, registrationId: string, notice: RegistrationNotice): object {
    return this.queue.jobData({ organizationId, registrationId, notice } satisfies NoticeJob);
  }

  /** pg-boss's statement inserting notice jobs from $1, the JSON of their `{data}` (JobQueue.insertStatement). */
  jobInsert(): Promise<string> {
    return this.queue.insertStatement(NOTICE_QUEUE);
  }

  /**
   * A registration changed (every path that changes one comes here, in its transaction): its
   * notice job, and its domain event (`registration.changed`, the agents' screens patch theirs).
   */
  enqueue(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    registrationId: string,
    notice: RegistrationNotice,
  ): Promise<void> {
    return this.enqueueMany(m, afterCommit, organizationId, [{ registrationId, notice }]);
  }

  /**
   * The notice jobs of several registrations of one organization in one statement, and their
   * domain events; `rows`: the registrations as they stand, when the caller has them (no query then).
   */
  async enqueueMany(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    notices: RegistrationNoticeItem[],
    rows?: ChangedRegistrationRow[],
  ): Promise<void> {
    if (!notices.length) return;
    await this.queue.sendManyInTx(
      m,
      NOTICE_QUEUE,
      notices.map((n) => ({ organizationId, ...n }) satisfies NoticeJob),
    );
    await this.announce(m, afterCommit, organizationId, new Map(notices.map((n) => [n.registrationId, CHANGE[n.notice]])), rows);
  }

  /**
   * `registration.changed` of these registrations, read as they stand in `m`, told once it commits
   * (by the changes above, and by a check-in, which has no notice).
   */
  async announce(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    changeOf: Map<string, RegistrationChange>,
    known?: ChangedRegistrationRow[],
  ): Promise<void> {
    const rows = known ?? (await this.repo.changedRegistrations(m, [...changeOf.keys()]));
    await this.events.record(m, afterCommit, ...changedEvents(organizationId, rows, (r) => changeOf.get(r.id)!));
  }

  /**
   * `registration.changed` of registrations that a statement of its own wrote with their notice
   * jobs and committed (a registration group): told now. No durable listener hears it (checked
   * at bootstrap), so no job had to be written with them. Never fails: the registrations stand.
   */
  async announceCommitted(organizationId: string, rows: ChangedRegistrationRow[], change: RegistrationChange): Promise<void> {
    try {
      await this.events.emitCommitted(...changedEvents(organizationId, rows, () => change));
    } catch (e) {
      this.logger.warn(`inscriptions non annoncées : ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  link(slug: string, id: string): string {
    // The registration page of the citizen pages (event-pages.ts) answers exactly this path.
    return `${this.config.publicUrl}${registrationPath(slug, id, recordSignature(this.config.appSecret, 'event-registration', id))}`;
  }

  /**
   * The channel a registrant is written to, with the identity it reaches them by (null: none open;
   * an identity that opted out, when the row says so, is passed over; the one they chose first),
   * read on the caller's transaction `m`: callers hold the registration's lock, and a second pool
   * connection taken under a lock can wait forever once the pool is exhausted by lock waiters.
   */
  async channelFor(
    m: EntityManager,
    organizationId: string,
    r: Pick<RegistrationRow, 'email' | 'phone'> & {
      email_opted_out?: boolean;
      phone_opted_out?: boolean;
      channel?: RegistrationChannel | null;
    },
    cache = new Map<string, Promise<{ id: string; kind: ChannelKind } | null>>(),
  ): Promise<{ id: string; kind: ChannelKind; identity: { kind: IdentityKind; value: string } } | null> {
    for (const c of CHANNEL_ORDER[r.channel ?? 'email']) {
      const value = r[c.field];
      if (!value || r[`${c.field}_opted_out`]) continue;
      const key = `${organizationId}:${c.kind}`;
      if (!cache.has(key)) cache.set(key, this.channels.firstOfKind(organizationId, c.kind, m));
      const channel = await cache.get(key)!;
      if (channel) return { id: channel.id, kind: channel.kind, identity: { kind: c.identity, value } };
    }
    return null;
  }

  async handle(job: NoticeJob): Promise<void> {
    await this.writer.tx(async (tx) => {
      const r = await this.repo.findRegistration(job.registrationId, tx.m, true);
      if (!r || (await this.repo.notified(tx.m, r.id, job.notice))) return;
      // The event as the registration's session makes it: the messages say its date.
      const e = atSession((await this.repo.findEvent(job.organizationId, r.event_id, tx.m))!, r.session_id);
      const org = await this.repo.organizationName(job.organizationId, tx.m);
      const channel = await this.channelFor(tx.m, job.organizationId, r);
      const { conversationId, contactId, isNew } = await this.file(tx, e, r, channel);
      const timelineId = await this.writer.insertMessage(tx, {
        organizationId: job.organizationId,
        conversationId,
        direction: 'outbound',
        kind: 'event',
        channelId: null,
        body: TIMELINE[job.notice](e, r),
        status: 'sent',
        meta: { municipalEvent: { eventId: e.id, registrationId: r.id, notice: job.notice } },
      });
      await this.writer.tell(tx, job.organizationId, conversationId, timelineId, ({ conversation, message }) => [
        domainEvent('message.sent', job.organizationId, { conversation, message, newConversation: isNew, byAgentId: null }),
        ...(isNew ? [domainEvent('conversation.created', job.organizationId, { conversation, origin: 'agent' as const })] : []),
      ]);
      // Told already (the agent's message of the cancellation), or the event is cancelled: only
      // that is said to the citizen, not a confirmation written late.
      const stale = r.cancelled_by === 'event' && job.notice !== 'event_cancelled';
      if (channel && !job.quiet && !stale)
        await this.send(
          tx,
          job.organizationId,
          conversationId,
          channel,
          TO_CITIZEN[job.notice](e, r, this.link(org.slug, r.id)),
          {
            notice: job.notice,
            registrationId: r.id,
          },
        );
      await this.repo.markNotified(tx.m, r.id, job.notice, isNew ? { contactId, conversationId } : null);
      // The registrants screen links the citizen's file as soon as it exists.
      if (isNew) await this.announce(tx.m, tx.afterCommit, job.organizationId, new Map([[r.id, 'updated']]));
    });
  }

  /** The registration's conversation, opened (with the citizen's contact) the first time; the caller links it (markNotified). */
  private async file(
    tx: WriterTx,
    e: SessionEventRow,
    r: RegistrationRow,
    channel: { identity: { kind: IdentityKind; value: string } } | null,
  ): Promise<{ conversationId: string; contactId: string; isNew: boolean }> {
    if (r.conversation_id && r.contact_id) return { conversationId: r.conversation_id, contactId: r.contact_id, isNew: false };
    const identity =
      channel?.identity ?? (r.email ? { kind: 'email' as const, value: r.email } : { kind: 'phone' as const, value: r.phone! });
    const contactId = await this.contacts.resolve(tx.m, e.organization_id, identity.kind, identity.value, r.name);
    const conversationId = await this.writer.openConversation(tx, {
      organizationId: e.organization_id,
      contactId,
      teamId: e.team_id,
      subject: `Inscription : ${e.title}`.slice(0, 200),
      at: new Date(),
      identity,
      citizenName: r.name,
    });
    // A registration is no request to answer: the file is filed, a citizen's reply reopens it.
    await this.writer.updateConversation(tx, conversationId, { status: 'resolved' }, true);
    return { conversationId, contactId, isNew: true };
  }

  /** A message of the town hall to the registrant (no agent: a notice), queued for sending (`sendMany` of one). */
  async send(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    channel: { id: string; kind: ChannelKind },
    body: string,
    meta: Record<string, unknown>,
  ): Promise<string> {
    const [id] = await this.sendMany(tx, [{ organizationId, conversationId, channel, body, meta }]);
    return id!;
  }

  /**
   * An agent's message to registrants (all, some, or everyone on an event change or cancellation):
   * a reply in each one's conversation through the agents' outbound path, in one transaction.
   * Registrations whose file is not written yet (their notice job pending) and registrants no open
   * channel reaches (an e-mail address but no e-mail channel enabled) are skipped and counted apart.
   */
  async messageRegistrants(
    m: EntityManager,
    afterCommit: AfterCommit,
    agent: AuthAgent,
    registrations: RegistrationRow[],
    body: string,
    reached?: Set<string>,
  ): Promise<MessageRegistrantsResult> {
    let sent = 0;
    let pending = 0;
    let unreachable = 0;
    const cache = new Map<string, Promise<{ id: string; kind: ChannelKind } | null>>();
    for (const r of registrations) {
      const channel = await this.channelFor(m, agent.organizationId, r, cache);
      if (!r.conversation_id || !r.contact_id) {
        pending++;
        continue;
      }
      if (!channel) {
        unreachable++;
        continue;
      }
      await this.agentMessages.record(m, afterCommit, agent, {
        conversationId: r.conversation_id,
        contactId: r.contact_id,
        kind: 'reply',
        channel: { id: channel.id, kind: channel.kind },
        body,
        meta: { municipalEvent: { eventId: r.event_id, registrationId: r.id } },
        audit: { municipalEvent: r.event_id },
      });
      reached?.add(r.id);
      sent++;
    }
    return { sent, skipped: pending + unreachable, pending, unreachable };
  }

  /**
   * An event's date, time or place changed (`before` → `after`, in the change's transaction,
   * under the event's lock): every registrant still concerned (confirmed, offered, waiting) is
   * told once, on their channel, the old and new values, by the town hall (no agent). Their
   * registrations are locked first (event, then registration: the lock order), so a notice job
   * running for one of them finishes before: a registrant whose file is not written yet gets the
   * new values in their confirmation (the job reads the event after this commits) and nothing
   * here. Reminders whose time, under the new start, is still to come are armed again. Answers
   * how many were written to, and how many no channel reaches.
   *
   * `sessionId`: the change is that session's (`before` and `after` as it makes the event), told
   * to its registrants only; without it, the event's (its place), told to all.
   */
  async tellEventChange(
    tx: WriterTx,
    before: EventRow,
    after: EventRow,
    sessionId?: string,
  ): Promise<{ sent: number; unreachable: number }> {
    const lines = changeLines(before, after);
    if (!lines.length) return { sent: 0, unreachable: 0 };
    const registrations = await this.repo.lockActiveRegistrations(tx.m, after.id, sessionId);
    if (sessionId && before.starts_at.getTime() !== after.starts_at.getTime())
      await this.repo.rearmReminders(tx.m, sessionId, after.starts_at);
    const org = await this.repo.organizationName(after.organization_id, tx.m);
    const cache = new Map<string, Promise<{ id: string; kind: ChannelKind } | null>>();
    const outgoing: OutgoingNotice[] = [];
    let unreachable = 0;
    for (const r of registrations) {
      if (!r.conversation_id) continue;
      const channel = await this.channelFor(tx.m, after.organization_id, r, cache);
      if (!channel) {
        unreachable++;
        continue;
      }
      outgoing.push({
        organizationId: after.organization_id,
        conversationId: r.conversation_id,
        channel,
        body:
          `Bonjour ${r.name}, changement pour « ${after.title} » : ${lines.join(' ')} ` +
          `Votre ${r.status === 'waitlisted' ? 'place sur la liste d’attente' : 'inscription'} reste valable ; pour la voir ou l’annuler : ${this.link(org.slug, r.id)}`,
        meta: { eventChanged: after.id, registrationId: r.id },
      });
    }
    await this.sendMany(tx, outgoing, { paced: true });
    return { sent: outgoing.length, unreachable };
  }

  /**
   * Sends the reminders due at `now`, 200 (`batch`) per transaction in a fixed number of
   * statements: the claim (one row per registration and schedule, its registration locked, so a
   * re-run or a second instance sends nothing twice and a cancellation waits or is seen), the
   * messages, their conversations, outbound jobs and events (sendMany), the claims' message ids.
   * A crash before the commit leaves nothing claimed: the next sweep sends them. A registrant no
   * open channel reaches, or who opted out of the only one, is claimed without a message. Answers
   * how many were claimed.
   */
  async sendDueReminders(now = new Date(), batch = 200): Promise<number> {
    let total = 0;
    const cache = new Map<string, Promise<{ id: string; kind: ChannelKind } | null>>();
    for (;;) {
      const n = await this.writer.tx(async (tx) => {
        const due = await this.repo.claimDueReminders(tx.m, now, batch);
        const outgoing: (OutgoingNotice & { registrationId: string; minutes: number })[] = [];
        for (const d of due) {
          // Claimed without a message: the citizen objected (art. 21) or is limited (art. 18), like a STOP.
          if (d.withheld) continue;
          const channel = await this.channelFor(tx.m, d.organization_id, d, cache);
          if (!channel) continue;
          outgoing.push({
            organizationId: d.organization_id,
            conversationId: d.conversation_id,
            channel,
            body: reminderText(d.title, d.starts_at, d.place),
            meta: { reminder: d.minutes, registrationId: d.registration_id },
            registrationId: d.registration_id,
            minutes: d.minutes,
          });
        }
        const ids = await this.sendMany(tx, outgoing, { paced: true });
        await this.repo.setReminderMessages(
          tx.m,
          outgoing.map((o, i) => ({ registrationId: o.registrationId, minutes: o.minutes, messageId: ids[i]! })),
        );
        return due.length;
      });
      total += n;
      if (n < batch) return total;
    }
  }

  /**
   * Messages of the town hall to registrants (reminders, an event's change), queued for sending in
   * a fixed number of statements whatever their number: the lines, their conversations' activity,
   * the outbound jobs, the `message.sent` events (per organization). Their ids, in the order given.
   * `paced` (reminders, an event's change: not a registrant's own notice): they go out at the
   * installation's bulk pace (JobQueue.sendManyInTx).
   */
  async sendMany(tx: WriterTx, list: OutgoingNotice[], opts: { paced?: boolean } = {}): Promise<string[]> {
    if (!list.length) return [];
    const ids = await this.writer.insertNotices(
      tx,
      list.map((o) => ({
        message: {
          organizationId: o.organizationId,
          conversationId: o.conversationId,
          direction: 'outbound' as const,
          kind: 'message' as const,
          channelId: o.channel.id,
          authorAgentId: null,
          body: o.body,
          status: 'queued' as const,
          meta: { municipalEvent: o.meta },
        },
        channelKind: o.channel.kind,
      })),
    );
    await this.queue.sendManyInTx(
      tx.m,
      QUEUES.outboundSend,
      list.map((o, i) => ({ messageId: ids[i]!, organizationId: o.organizationId })),
      { paced: opts.paced },
    );
    const byOrganization = new Map<string, { conversationId: string; messageId: string }[]>();
    list.forEach((o, i) =>
      byOrganization.set(o.organizationId, [
        ...(byOrganization.get(o.organizationId) ?? []),
        { conversationId: o.conversationId, messageId: ids[i]! },
      ]),
    );
    for (const [organizationId, written] of byOrganization)
      await this.writer.tellMany(tx, organizationId, written, ({ conversation, message }) => [
        domainEvent('message.sent', organizationId, { conversation, message, newConversation: false, byAgentId: null }),
      ]);
    return ids;
  }
}
