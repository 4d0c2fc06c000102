import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ACTIVE_REGISTRATION_STATUSES,
  normalizeEmail,
  normalizePhone,
  type PublicEventDto,
  type PublicRegistrationCreated,
  type PublicRegistrationDto,
  type PublicRegistrationInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database, type AfterCommit } from '../../common/database';
import { AppError, badRequest, conflict, notFound, organizationClosed, uniqueViolation } from '../../common/errors';
import { KeyedGroupCommit } from '../../common/group-commit';
import { RateLimiter } from '../../common/rate-limiter';
import { checkRecordSignature, recordSignature } from '../../common/signed-link';
import { isUuid } from '../../common/uuid';
import {
  activeSessions,
  atSession,
  MunicipalEventRepository,
  registrationColumns,
  type ChangedRegistrationRow,
  type EventRow,
  type NewRegistration,
  type RegistrationRow,
  type SessionEventRow,
} from './municipal-event.repository';
import { RegistrantNotices } from './registrant-notices.service';

const LINK_PURPOSE = 'event-registration';
/** How long a read of an event serves the registrations that follow it (RegistrationService.reading). */
const EVENT_READ_SHARED_MS = 1_000;

/** What the signed view-or-cancel link of a registration carries. */
export const registrationToken = (appSecret: string, id: string) => recordSignature(appSecret, LINK_PURPOSE, id);

/**
 * When registrations open and close: the event's dates and its lead times together (the later
 * opening, the earlier closing); null: no limit on that side but the start.
 */
export function bookingWindow(e: EventRow): { opensAt: Date | null; closesAt: Date | null } {
  const start = e.starts_at.getTime();
  const opens = [
    e.booking_opens_at?.getTime(),
    e.booking_opens_days_before != null ? start - e.booking_opens_days_before * 24 * 3600_000 : undefined,
  ].filter((t): t is number => t !== undefined);
  const closes = [
    e.booking_closes_at?.getTime(),
    e.booking_closes_hours_before != null ? start - e.booking_closes_hours_before * 3600_000 : undefined,
  ].filter((t): t is number => t !== undefined);
  return {
    opensAt: opens.length ? new Date(Math.max(...opens)) : null,
    closesAt: closes.length ? new Date(Math.min(...closes)) : null,
  };
}

const paris = (d: Date) => d.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'full', timeStyle: 'short' });

/** Registrations are taken: published, not cancelled, not started, within the booking window (dates and lead times). */
export function bookingProblem(e: EventRow, now = new Date()): string | null {
  if (e.cancelled_at) return 'cet événement est annulé';
  if (e.starts_at <= now) return 'cet événement a commencé : les inscriptions sont closes';
  const { opensAt, closesAt } = bookingWindow(e);
  if (opensAt && opensAt > now)
    return (
      `les inscriptions ouvrent le ${paris(opensAt)}` +
      (e.booking_opens_days_before != null &&
      opensAt.getTime() === e.starts_at.getTime() - e.booking_opens_days_before * 24 * 3600_000
        ? ` (${e.booking_opens_days_before} jour${e.booking_opens_days_before > 1 ? 's' : ''} avant le début)`
        : '')
    );
  if (closesAt && closesAt <= now)
    return (
      `les inscriptions sont closes depuis le ${paris(closesAt)}` +
      (e.booking_closes_hours_before != null &&
      closesAt.getTime() === e.starts_at.getTime() - e.booking_closes_hours_before * 3600_000
        ? ` (${e.booking_closes_hours_before} h avant le début)`
        : '') +
      ` : contactez le service ${e.team_name}`
    );
  return null;
}

/** The last moment a citizen may cancel online: the event's cut-off before its start. */
export function cancelDeadline(e: EventRow): Date {
  return new Date(e.starts_at.getTime() - e.cancel_cutoff_hours * 3600_000);
}

/** Why the citizen can no longer cancel online, or null. */
function cancelProblem(e: EventRow, now = new Date()): string | null {
  if (e.starts_at <= now) return "l'événement a commencé : l'inscription ne peut plus être annulée";
  if (cancelDeadline(e) <= now)
    return `l'annulation en ligne est close ${e.cancel_cutoff_hours} h avant le début : contactez le service ${e.team_name}`;
  return null;
}

/** Why a session takes no registration now (bookingProblem of the event at that session), or null. */
function sessionProblem(e: EventRow, sessionId: string, now = new Date()): string | null {
  const s = e.sessions.find((x) => x.id === sessionId);
  if (s?.cancelled_at && !e.cancelled_at) return 'cette séance est annulée : choisissez-en une autre';
  return bookingProblem(atSession(e, sessionId), now);
}

export function toPublicEventDto(e: EventRow, now = new Date()): PublicEventDto {
  const window = bookingWindow(e);
  const sessions = activeSessions(e).map((s) => ({
    id: s.id,
    startsAt: s.starts_at.toISOString(),
    endsAt: s.ends_at?.toISOString() ?? null,
    capacity: s.capacity,
    availablePlaces: Math.max(0, s.capacity - s.booked_places),
    waitlistAvailable: Math.max(0, s.waitlist_capacity - s.waitlisted_places),
    cancelled: !!e.cancelled_at,
    open: e.published && !sessionProblem(e, s.id, now),
  }));
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    place: e.place,
    theme: e.theme,
    audience: e.audience,
    priceInfo: e.price_info,
    service: { id: e.team_id, name: e.team_name },
    startsAt: e.starts_at.toISOString(),
    endsAt: e.ends_at?.toISOString() ?? null,
    cancelled: !!e.cancelled_at,
    capacity: e.capacity,
    availablePlaces: Math.max(0, e.capacity - e.booked_places),
    waitlistAvailable: Math.max(0, e.waitlist_capacity - e.waitlisted_places),
    maxPlacesPerRegistration: e.max_places,
    bookingOpensAt: window.opensAt?.toISOString() ?? null,
    bookingClosesAt: window.closesAt?.toISOString() ?? null,
    cancelCutoffHours: e.cancel_cutoff_hours,
    // An event of several sessions takes registrations while one of them does.
    open: sessions.length > 1 ? sessions.some((s) => s.open) : e.published && !bookingProblem(e, now),
    questions: e.questions,
    sessions,
  };
}

/**
 * A valid registration waiting for its group: its session chosen, its e-mail and phone normalized,
 * its answers kept, its id and notice jobs made in its own request (whose id they carry); `event`:
 * the event as the request read it (what places do not move: its town, service, sessions).
 */
interface PendingRegistration extends Omit<NewRegistration, 'organizationId' | 'eventId' | 'status'> {
  id: string;
  jobs: { confirmed: object; waitlisted: object };
  event: EventRow;
}

/** Each registration of a group gets its own answer: its registration, or the reason it was refused. */
type RegistrationOutcome = { created: PublicRegistrationCreated } | { refused: AppError };

/**
 * Citizens' registrations (no account) and the waiting list. Every change of places runs under
 * the event row's lock, in one transaction with the counters it moves; the database's CHECK
 * constraints refuse any excess, so the capacity holds whatever runs concurrently. The citizen's
 * file, timeline and messages follow from a durable job written in the same transaction
 * (RegistrantNotices), so the answer to the citizen never waits for them.
 *
 * New registrations of one event that arrive together share one transaction (group commit): one
 * statement, the function `municipal_event_register`, locks the event, gives places in arrival
 * order (confirmed, waitlisted, or refused when late, full or already registered), inserts the
 * rows, their counters and their notice jobs, and commits — the event's lock is held for no
 * round trip to the app. Each request is answered with its own outcome. A statement that fails as
 * a whole writes nothing, and its registrations are then run one by one.
 */
@Injectable()
export class RegistrationService {
  /**
   * One group in flight per event and instance: the next forms from what arrived while it ran, and
   * groups reach the event's lock in the order they were formed, which is the order their
   * registrations arrived in.
   */
  private readonly groups = new KeyedGroupCommit<PendingRegistration, RegistrationOutcome>(
    (eventId, items) => this.registerGroup(eventId, items),
    { parallel: 1, maxBatch: 500 },
  );
  /**
   * Reads of one event within a second share one query: at a popular opening (hundreds of
   * registrations a second) the event was read again for most of them. What the statement decides
   * on — cancellation, booking dates, places, duplicates — is checked again under the event's lock;
   * a change of the form itself (questions, maximum places, publication) made through this instance
   * applies at once (forgetEvent), made through another within a second, as if the registration
   * had arrived a second earlier.
   */
  private readonly reading = new Map<string, Promise<EventRow | null>>();

  constructor(
    private readonly db: Database,
    private readonly repo: MunicipalEventRepository,
    private readonly limiter: RateLimiter,
    private readonly notices: RegistrantNotices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  manageUrl(organizationSlug: string, id: string): string {
    return this.notices.link(organizationSlug, id);
  }

  private readEvent(id: string): Promise<EventRow | null> {
    let read = this.reading.get(id);
    if (!read) {
      read = this.repo.findEvent(null, id);
      this.reading.set(id, read);
      const forget = () => this.reading.get(id) === read && this.reading.delete(id);
      // Kept a second once read (an unknown id too: at most a second's worth of ids); a failure is not kept.
      read.then(() => setTimeout(forget, EVENT_READ_SHARED_MS).unref(), forget);
    }
    return read;
  }

  /** The event changed: the next registration reads it again. */
  forgetEvent(id: string): void {
    this.reading.delete(id);
  }

  async register(eventId: string, input: PublicRegistrationInput, ip: string): Promise<PublicRegistrationCreated> {
    // A field hidden from people: only robots fill it (the same rule as the request form).
    if (input.website) throw badRequest('envoi refusé : formulaire rempli automatiquement');
    const event = isUuid(eventId) ? await this.readEvent(eventId) : null;
    if (!event || !event.published) throw notFound('événement');
    if (event.organization_archived) throw organizationClosed();
    const details: string[] = [];
    let email: string | null = null;
    let phone: string | null = null;
    if (input.email) {
      try {
        email = normalizeEmail(input.email);
      } catch (e) {
        details.push(`email: ${(e as Error).message}`);
      }
    }
    if (input.phone) {
      try {
        phone = normalizePhone(input.phone);
      } catch (e) {
        details.push(`phone: ${(e as Error).message}`);
      }
    }
    // The session: the one chosen, or the event's only one.
    const open = activeSessions(event);
    let sessionId = input.sessionId;
    if (sessionId && !event.sessions.some((s) => s.id === sessionId))
      details.push('sessionId: séance inconnue pour cet événement');
    else if (!sessionId && open.length > 1)
      details.push(`sessionId: cet événement a ${open.length} séances : choisissez celle à laquelle vous inscrire`);
    sessionId ??= (open[0] ?? event.sessions[0])!.id;
    if (input.places > event.max_places)
      details.push(`places: ${event.max_places} place${event.max_places > 1 ? 's' : ''} au plus par inscription`);
    const answers: Record<string, string> = {};
    for (const q of event.questions) {
      const a = input.answers[q.id]?.trim() ?? '';
      if (q.required && !a) details.push(`answers.${q.id}: réponse obligatoire (« ${q.label} »)`);
      if (a) answers[q.id] = a;
    }
    if (details.length) throw badRequest('inscription invalide', details);
    const problem = sessionProblem(event, sessionId);
    if (problem) throw conflict(problem);
    // The same quota as the request form, counted once the input is valid.
    await this.limiter.hit(
      `public:${ip}`,
      this.config.publicRequestsPerHour,
      3600,
      'trop de demandes envoyées depuis cette connexion : réessayez dans une heure',
    );
    let outcome: RegistrationOutcome;
    try {
      const id = randomUUID();
      outcome = await this.groups.submit(event.id, {
        id,
        event,
        jobs: {
          confirmed: this.notices.jobData(event.organization_id, id, 'registered'),
          waitlisted: this.notices.jobData(event.organization_id, id, 'waitlisted'),
        },
        sessionId,
        name: input.name,
        email,
        phone,
        places: input.places,
        answers,
        consentReminders: input.consentReminders,
        // A choice between the two only means something when both were given.
        channel: email && phone ? (input.channel ?? null) : null,
      });
    } catch (err) {
      // The partial unique indexes back the check under lock up (a registration run alone).
      const constraint = uniqueViolation(err);
      const several = event.sessions.length > 1;
      if (constraint?.includes('email')) throw duplicate('email', several);
      if (constraint?.includes('phone')) throw duplicate('phone', several);
      throw err;
    }
    if ('refused' in outcome) throw outcome.refused;
    return outcome.created;
  }

  /**
   * One statement for registrations of one event arriving together (MunicipalEventRepository.
   * registerGroup: the event's lock, the places in arrival order, the rows, counters and notice
   * jobs, the commit), then each one's answer and the agents' screens told, from what it returned
   * (nothing read again). Places are counted per session: each has its own capacity and waiting list.
   */
  private async registerGroup(eventId: string, items: PendingRegistration[]): Promise<RegistrationOutcome[]> {
    const e = items[0]!.event;
    const group = await this.repo.registerGroup(eventId, e.organization_id, items, await this.notices.jobInsert());
    if (!group) return items.map(() => ({ refused: notFound('événement') }));
    const several = e.sessions.length > 1;
    const sessions = new Map(group.sessions.map((s) => [s.id, s]));
    // Why a session took no registration, worded from the event as it is now (rare: read once).
    let now: Promise<EventRow | null> | undefined;
    const late = async (sessionId: string) => {
      now ??= this.repo.findEvent(null, eventId);
      const fresh = await now;
      return conflict((fresh && sessionProblem(fresh, sessionId)) ?? 'les inscriptions à cette séance sont closes');
    };
    const outcomes = await Promise.all(
      items.map(async (item, i): Promise<RegistrationOutcome> => {
        const o = group.outcomes[i]!;
        const s = sessions.get(item.sessionId);
        switch (o.status) {
          case 'late':
            return { refused: await late(item.sessionId) };
          case 'duplicate_email':
            return { refused: duplicate('email', several) };
          case 'duplicate_phone':
            return { refused: duplicate('phone', several) };
          case 'full':
            return {
              refused: full(
                {
                  ...atSession(e, item.sessionId),
                  capacity: s!.capacity,
                  waitlist_capacity: s!.waitlist_capacity,
                  booked_places: o.booked!,
                  waitlisted_places: o.waiting!,
                },
                item.places,
              ),
            };
          default:
            return {
              created: {
                id: item.id,
                status: o.status,
                ...(o.position !== null ? { position: o.position } : {}),
                places: item.places,
                manageUrl: this.manageUrl(e.organization_slug, item.id),
                token: registrationToken(this.config.appSecret, item.id),
              },
            };
        }
      }),
    );
    // The rows as the agents' screens are told of them: what was inserted, the places after the group.
    const changed = items.flatMap((r, i): ChangedRegistrationRow[] => {
      const o = group.outcomes[i]!;
      const inserted = group.inserted.get(r.id);
      if ((o.status !== 'confirmed' && o.status !== 'waitlisted') || !inserted) return [];
      const s = sessions.get(r.sessionId)!;
      return [
        {
          id: r.id,
          seq: '',
          organization_id: e.organization_id,
          event_id: e.id,
          ...registrationColumns(r),
          status: o.status,
          cancelled_by: null,
          offer_expires_at: null,
          checked_in_at: null,
          contact_id: null,
          conversation_id: null,
          created_at: inserted.created_at,
          position: o.position,
          email_opted_out: inserted.email_opted_out,
          phone_opted_out: inserted.phone_opted_out,
          team_id: e.team_id,
          capacity: group.capacity,
          booked_places: group.booked_places,
          waitlisted_places: group.waitlisted_places,
          session_capacity: s.capacity,
          session_booked_places: s.booked_places,
          session_waitlisted_places: s.waitlisted_places,
        },
      ];
    });
    await this.notices.announceCommitted(e.organization_id, changed, 'created');
    return outcomes;
  }

  private async held(id: string, token: unknown): Promise<RegistrationRow> {
    const r =
      isUuid(id) && checkRecordSignature(this.config.appSecret, LINK_PURPOSE, id, token)
        ? await this.repo.findRegistration(id)
        : null;
    // A wrong token and an unknown registration look the same.
    if (!r) throw notFound('inscription');
    return r;
  }

  async view(id: string, token: unknown): Promise<PublicRegistrationDto> {
    const r = await this.held(id, token);
    // The event as the registration's session makes it: its dates, places, cancellation.
    const e = atSession((await this.repo.findEvent(null, r.event_id))!, r.session_id);
    const active = ACTIVE_REGISTRATION_STATUSES.includes(r.status) && !e.cancelled_at;
    return {
      id: r.id,
      name: r.name,
      places: r.places,
      status: r.status,
      cancelledBy: r.cancelled_by,
      position: r.position,
      offerExpiresAt: r.offer_expires_at?.toISOString() ?? null,
      event: toPublicEventDto(e),
      sessionCancelled: e.session_cancelled,
      cancellable: active && !cancelProblem(e),
      cancelUntil: active ? cancelDeadline(e).toISOString() : null,
    };
  }

  /** The citizen cancels through their link (until the event's cut-off); a freed place may promote the next. */
  async cancel(id: string, token: unknown): Promise<PublicRegistrationDto> {
    await this.held(id, token);
    await this.db.tx(async (m, afterCommit) => {
      const { e, r } = await this.lockRegistration(m, id);
      if (r.status === 'cancelled') return;
      if (r.status === 'expired') throw conflict('cette inscription a expiré');
      const late = cancelProblem(e);
      if (late) throw conflict(late);
      await this.release(m, e, r, 'cancelled', 'citizen');
      await this.notices.enqueue(m, afterCommit, e.organization_id, r.id, 'cancelled');
      if (e.promotion === 'automatic') await this.promote(m, afterCommit, e.id, r.session_id);
    });
    return this.view(id, token);
  }

  /**
   * Locks a registration for a change of its places, in the one order every path follows: its
   * event, then the registration (the notice job locks the registration alone, then the citizen's
   * file), both FOR NO KEY UPDATE, so the foreign-key checks of other writers are not blocked.
   * The event comes as the registration's session makes it.
   */
  private async lockRegistration(
    m: EntityManager,
    id: string,
    eventId?: string,
  ): Promise<{ e: SessionEventRow; r: RegistrationRow }> {
    const event = eventId ?? (await this.repo.findRegistration(id, m))!.event_id;
    const e = (await this.repo.findEvent(null, event, m, true))!;
    const r = (await this.repo.findRegistration(id, m, true))!;
    return { e: atSession(e, r.session_id), r };
  }

  /** A promoted citizen confirms the place held for them before the offer expires. */
  async confirm(id: string, token: unknown): Promise<PublicRegistrationDto> {
    await this.held(id, token);
    await this.db.tx(async (m, afterCommit) => {
      const { e, r } = await this.lockRegistration(m, id);
      if (r.status === 'confirmed') return;
      if (r.status !== 'offered') throw conflict("aucune place ne vous est proposée pour l'instant");
      if (r.offer_expires_at && r.offer_expires_at <= new Date()) throw conflict('le délai pour confirmer cette place est passé');
      if (e.cancelled_at) throw conflict('cet événement est annulé');
      await this.repo.setStatus(m, r.id, 'confirmed');
      await this.notices.enqueue(m, afterCommit, e.organization_id, r.id, 'confirmed');
    });
    return this.view(id, token);
  }

  /**
   * Gives back the places a registration held or waited for (caller holds the event's lock);
   * `by`: who cancels it (the citizen, or an agent for them).
   */
  async release(
    m: EntityManager,
    e: EventRow,
    r: RegistrationRow,
    status: 'cancelled' | 'expired',
    by: 'citizen' | 'agent' | null = null,
  ): Promise<void> {
    const holds = r.status === 'confirmed' || r.status === 'offered';
    const waits = r.status === 'waitlisted';
    await this.repo.setStatus(m, r.id, status, null, by);
    if (holds || waits) await this.repo.addPlaces(m, e.id, r.session_id, holds ? -r.places : 0, waits ? -r.places : 0);
  }

  /**
   * Offers a session's free places to its waiting list in its order (the caller holds the event's
   * lock): the head is offered its places when they fit, with the event's time to confirm; the
   * next waits for it (no jumping ahead with fewer places). Answers the registrations offered.
   */
  async promote(m: EntityManager, afterCommit: AfterCommit, eventId: string, sessionId: string): Promise<string[]> {
    const offered: string[] = [];
    for (;;) {
      const e = atSession((await this.repo.findEvent(null, eventId, m))!, sessionId);
      const head = await this.repo.waitlistHead(m, sessionId);
      if (!head || e.booked_places + head.places > e.capacity || e.cancelled_at) break;
      await this.offer(m, afterCommit, e, head);
      offered.push(head.id);
    }
    return offered;
  }

  /** Holds places for one waitlisted registration and tells them (caller holds the event's lock). */
  async offer(m: EntityManager, afterCommit: AfterCommit, e: EventRow, r: RegistrationRow, now = new Date()): Promise<void> {
    await this.repo.setStatus(m, r.id, 'offered', new Date(now.getTime() + e.confirmation_hours * 3600_000));
    await this.repo.addPlaces(m, e.id, r.session_id, r.places, -r.places);
    await this.notices.enqueue(m, afterCommit, e.organization_id, r.id, 'offered');
  }

  /** Offers not confirmed in time lapse, and their places go to the next (automatic promotion). */
  async expireOffers(now = new Date()): Promise<number> {
    let n = 0;
    for (const o of await this.repo.expiredOffers(now, 500)) {
      await this.db.tx(async (m, afterCommit) => {
        const { e, r } = await this.lockRegistration(m, o.id, o.event_id);
        if (r.status !== 'offered' || !r.offer_expires_at || r.offer_expires_at > now) return;
        await this.release(m, e, r, 'expired');
        await this.notices.enqueue(m, afterCommit, e.organization_id, r.id, 'expired');
        if (e.promotion === 'automatic') await this.promote(m, afterCommit, e.id, r.session_id);
        n++;
      });
    }
    return n;
  }
}

/** `several`: the event has several sessions (one registration per e-mail and phone per session). */
function duplicate(by: 'email' | 'phone', several = false): AppError {
  const what = several ? 'cette séance' : 'cet événement';
  return new AppError(
    'conflict',
    by === 'email'
      ? `cette adresse e-mail est déjà inscrite à ${what} : utilisez le lien reçu pour voir ou annuler votre inscription`
      : `ce numéro de téléphone est déjà inscrit à ${what} : utilisez le lien reçu pour voir ou annuler votre inscription`,
    [`${by}: déjà inscrit`],
  );
}

function full(e: EventRow, places: number): AppError {
  const left = Math.max(0, e.capacity - e.booked_places);
  if (left > 0 && places > left && e.waitlisted_places === 0)
    return conflict(`il ne reste que ${left} place${left > 1 ? 's' : ''} : réduisez le nombre de places demandées`);
  return conflict(
    e.waitlist_capacity > 0
      ? "l'événement est complet et sa liste d'attente aussi"
      : "l'événement est complet (il n'a pas de liste d'attente)",
  );
}
