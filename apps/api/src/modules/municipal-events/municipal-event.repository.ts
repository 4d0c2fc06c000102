import { Injectable } from '@nestjs/common';
import type {
  ContactRegistrationDto,
  CreateEventInput,
  EventPromotion,
  EventQuestion,
  EventSessionDto,
  MunicipalEventDto,
  RegistrationCanceller,
  RegistrationChannel,
  RegistrationDto,
  RegistrationStatus,
  UpdateEventInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';
import { conformityColumns, type ConformityColumns } from '../public/conformity-columns';

/** A session of an event (its dates and places); an event has one or more. */
export interface SessionRow {
  id: string;
  starts_at: Date;
  ends_at: Date | null;
  capacity: number;
  waitlist_capacity: number;
  booked_places: number;
  waitlisted_places: number;
  cancelled_at: Date | null;
}

/**
 * An event. Its dates and places (starts_at … waitlisted_places) are the summary of its sessions
 * not cancelled (first start, last end, sums), kept in the same transaction as any change of
 * theirs: an event of one session reads as that session. `sessions`: all of them, by start.
 */
export interface EventRow {
  id: string;
  organization_id: string;
  /** The platform archived the event's town: no registration then. */
  organization_archived: boolean;
  /** The town's slug (its citizen pages, the registrations' links). */
  organization_slug: string;
  team_id: string;
  team_name: string;
  title: string;
  description: string;
  place: string;
  theme: string;
  audience: string;
  price_info: string;
  starts_at: Date;
  ends_at: Date | null;
  capacity: number;
  waitlist_capacity: number;
  max_places: number;
  published: boolean;
  cancelled_at: Date | null;
  booking_opens_at: Date | null;
  booking_closes_at: Date | null;
  booking_opens_days_before: number | null;
  booking_closes_hours_before: number | null;
  promotion: EventPromotion;
  confirmation_hours: number;
  cancel_cutoff_hours: number;
  reminder_minutes: number[];
  questions: EventQuestion[];
  booked_places: number;
  waitlisted_places: number;
  created_at: Date;
  sessions: SessionRow[];
}

/**
 * The event as one of its sessions makes it (its dates, places and cancellation): what the
 * booking window, the cancellation cut-off, the places left and the messages of a registration
 * of that session read.
 */
export type SessionEventRow = EventRow & {
  session_id: string;
  /** The session is cancelled, not the event. */ session_cancelled: boolean;
};

export function atSession(e: EventRow, sessionId: string): SessionEventRow {
  const s = e.sessions.find((x) => x.id === sessionId);
  if (!s) throw new Error(`session ${sessionId} is not one of event ${e.id}`);
  return {
    ...e,
    session_id: s.id,
    session_cancelled: !!s.cancelled_at && !e.cancelled_at,
    starts_at: s.starts_at,
    ends_at: s.ends_at,
    capacity: s.capacity,
    waitlist_capacity: s.waitlist_capacity,
    booked_places: s.booked_places,
    waitlisted_places: s.waitlisted_places,
    cancelled_at: e.cancelled_at ?? s.cancelled_at,
  };
}

/** The sessions not cancelled. */
export const activeSessions = (e: EventRow): SessionRow[] => e.sessions.filter((s) => !s.cancelled_at);

export const toSessionDto = (s: SessionRow): EventSessionDto => ({
  id: s.id,
  startsAt: s.starts_at.toISOString(),
  endsAt: s.ends_at?.toISOString() ?? null,
  capacity: s.capacity,
  waitlistCapacity: s.waitlist_capacity,
  bookedPlaces: s.booked_places,
  availablePlaces: Math.max(0, s.capacity - s.booked_places),
  waitlistedPlaces: s.waitlisted_places,
  cancelledAt: s.cancelled_at?.toISOString() ?? null,
});

export interface RegistrationRow {
  id: string;
  seq: string;
  organization_id: string;
  event_id: string;
  session_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  places: number;
  answers: Record<string, string>;
  consent_reminders: boolean;
  status: RegistrationStatus;
  cancelled_by: RegistrationCanceller | null;
  offer_expires_at: Date | null;
  checked_in_at: Date | null;
  contact_id: string | null;
  conversation_id: string | null;
  created_at: Date;
  position: number | null;
  /** The registrant refused messages at this e-mail address, this phone number (OPTED_OUT). */
  email_opted_out: boolean;
  phone_opted_out: boolean;
  /** How the registrant chose to be told (RegistrationChannel); null: no choice, e-mail first. */
  channel: RegistrationChannel | null;
}

const EVENT_COLUMNS = `e.id, e.organization_id, e.team_id, t.name AS team_name, e.title, e.description, e.place, e.theme,
  e.audience, e.price_info, e.starts_at, e.ends_at, e.capacity, e.waitlist_capacity, e.max_places, e.published,
  e.cancelled_at, e.booking_opens_at, e.booking_closes_at,
  e.booking_opens_days_before, e.booking_closes_hours_before, e.promotion, e.confirmation_hours, e.cancel_cutoff_hours, e.reminder_minutes,
  e.questions, e.booked_places, e.waitlisted_places, e.created_at,
  (SELECT o.archived_at IS NOT NULL FROM organization o WHERE o.id = e.organization_id) AS organization_archived,
  (SELECT o.slug FROM organization o WHERE o.id = e.organization_id) AS organization_slug,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'starts_at', s.starts_at, 'ends_at', s.ends_at,
            'capacity', s.capacity, 'waitlist_capacity', s.waitlist_capacity, 'booked_places', s.booked_places,
            'waitlisted_places', s.waitlisted_places, 'cancelled_at', s.cancelled_at) ORDER BY s.starts_at, s.id), '[]')
     FROM municipal_event_session s WHERE s.event_id = e.id) AS sessions`;

/** The sessions as the JSON of EVENT_COLUMNS carries them, with their dates as dates. */
function withSessions<T extends EventRow>(rows: T[]): T[] {
  for (const r of rows)
    r.sessions = (
      r.sessions as unknown as (Omit<SessionRow, 'starts_at' | 'ends_at' | 'cancelled_at'> & Record<string, string | null>)[]
    ).map((s) => ({
      ...s,
      starts_at: new Date(s.starts_at!),
      ends_at: s.ends_at ? new Date(s.ends_at) : null,
      cancelled_at: s.cancelled_at ? new Date(s.cancelled_at) : null,
    }));
  return rows;
}

/** The rank of a waitlisted registration: waitlisted registrations of its session before it, plus one. */
const POSITION = `CASE WHEN r.status = 'waitlisted' THEN (
    SELECT count(*)::int FROM municipal_event_registration w
    WHERE w.session_id = r.session_id AND w.status = 'waitlisted' AND w.seq <= r.seq) END AS position`;

/**
 * Whether the registrant `r` refused messages at their e-mail address or phone number (an SMS
 * STOP): nothing is sent to them there.
 */
const OPTED_OUT = `
  EXISTS (SELECT 1 FROM contact_identity ci WHERE ci.organization_id = r.organization_id AND ci.kind = 'email'
           AND ci.value = r.email AND ci.opted_out_at IS NOT NULL) AS email_opted_out,
  EXISTS (SELECT 1 FROM contact_identity ci WHERE ci.organization_id = r.organization_id AND ci.kind = 'phone'
           AND ci.value = r.phone AND ci.opted_out_at IS NOT NULL) AS phone_opted_out`;

const REGISTRATION_COLUMNS = `r.id, r.seq, r.organization_id, r.event_id, r.session_id, r.name, r.email, r.phone, r.places, r.answers,
  r.consent_reminders, r.status, r.cancelled_by, r.offer_expires_at, r.checked_in_at, r.contact_id, r.conversation_id,
  r.created_at, r.channel, ${POSITION}, ${OPTED_OUT}`;

export const toEventDto = (r: EventRow): MunicipalEventDto => ({
  id: r.id,
  teamId: r.team_id,
  teamName: r.team_name,
  title: r.title,
  description: r.description,
  place: r.place,
  theme: r.theme,
  audience: r.audience,
  priceInfo: r.price_info,
  startsAt: r.starts_at.toISOString(),
  endsAt: r.ends_at?.toISOString() ?? null,
  capacity: r.capacity,
  waitlistCapacity: r.waitlist_capacity,
  maxPlacesPerRegistration: r.max_places,
  published: r.published,
  status: r.cancelled_at ? 'cancelled' : 'scheduled',
  cancelledAt: r.cancelled_at?.toISOString() ?? null,
  bookingOpensAt: r.booking_opens_at?.toISOString() ?? null,
  bookingClosesAt: r.booking_closes_at?.toISOString() ?? null,
  bookingOpensDaysBefore: r.booking_opens_days_before,
  bookingClosesHoursBefore: r.booking_closes_hours_before,
  promotion: r.promotion,
  confirmationHours: r.confirmation_hours,
  cancelCutoffHours: r.cancel_cutoff_hours,
  reminderMinutes: r.reminder_minutes,
  questions: r.questions,
  bookedPlaces: r.booked_places,
  availablePlaces: Math.max(0, r.capacity - r.booked_places),
  waitlistedPlaces: r.waitlisted_places,
  createdAt: r.created_at.toISOString(),
  sessions: r.sessions.map(toSessionDto),
});

export const toRegistrationDto = (r: RegistrationRow): RegistrationDto => ({
  id: r.id,
  eventId: r.event_id,
  sessionId: r.session_id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  places: r.places,
  answers: r.answers,
  consentReminders: r.consent_reminders,
  status: r.status,
  cancelledBy: r.cancelled_by,
  position: r.position ?? null,
  offerExpiresAt: r.offer_expires_at?.toISOString() ?? null,
  checkedInAt: r.checked_in_at?.toISOString() ?? null,
  emailOptedOut: r.email_opted_out,
  phoneOptedOut: r.phone_opted_out,
  channel: r.channel,
  contactId: r.contact_id,
  conversationId: r.conversation_id,
  createdAt: r.created_at.toISOString(),
});

/** A registration just changed, with its event's service and places (the event's, and its session's: `session_*`). */
export interface ChangedRegistrationRow extends RegistrationRow {
  team_id: string;
  capacity: number;
  booked_places: number;
  waitlisted_places: number;
  session_capacity: number;
  session_booked_places: number;
  session_waitlisted_places: number;
}

export interface ContactRegistrationRow extends RegistrationRow {
  title: string;
  starts_at: Date;
  team_id: string;
  team_name: string;
  /** The event's cancellation, or its session's. */
  event_cancelled_at: Date | null;
  /** The session is cancelled, the event is not. */
  session_cancelled: boolean;
}

export const toContactRegistrationDto = (r: ContactRegistrationRow): ContactRegistrationDto => ({
  ...toRegistrationDto(r),
  event: {
    id: r.event_id,
    title: r.title,
    startsAt: r.starts_at.toISOString(),
    teamId: r.team_id,
    teamName: r.team_name,
    cancelled: !!r.event_cancelled_at,
    sessionCancelled: r.session_cancelled,
  },
});

/** Column of each event field an agent sets (create and update share it). */
const FIELDS: Record<string, string> = {
  title: 'title',
  description: 'description',
  place: 'place',
  theme: 'theme',
  audience: 'audience',
  priceInfo: 'price_info',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  capacity: 'capacity',
  waitlistCapacity: 'waitlist_capacity',
  maxPlacesPerRegistration: 'max_places',
  published: 'published',
  bookingOpensAt: 'booking_opens_at',
  bookingClosesAt: 'booking_closes_at',
  bookingOpensDaysBefore: 'booking_opens_days_before',
  bookingClosesHoursBefore: 'booking_closes_hours_before',
  promotion: 'promotion',
  confirmationHours: 'confirmation_hours',
  cancelCutoffHours: 'cancel_cutoff_hours',
  reminderMinutes: 'reminder_minutes',
  questions: 'questions',
};

const value = (k: string, v: unknown) => (k === 'questions' ? pgJson(v) : v);

/** What the insert of a registration answers (insertRegistrations). */
export interface InsertedRegistration {
  id: string;
  created_at: Date;
  email_opted_out: boolean;
  phone_opted_out: boolean;
}

export interface NewRegistration {
  organizationId: string;
  eventId: string;
  sessionId: string;
  name: string;
  email: string | null;
  phone: string | null;
  places: number;
  answers: Record<string, string>;
  consentReminders: boolean;
  status: 'confirmed' | 'waitlisted';
  /** How the registrant chose to be told (absent: no choice). */
  channel?: RegistrationChannel | null;
}

/** A new registration's own columns, as the database names them. */
export const registrationColumns = (r: Omit<NewRegistration, 'organizationId' | 'eventId' | 'status'>) => ({
  session_id: r.sessionId,
  name: r.name,
  email: r.email,
  phone: r.phone,
  places: r.places,
  answers: r.answers,
  consent_reminders: r.consentReminders,
  channel: r.channel ?? null,
});

/** What a registration group came to (MunicipalEventRepository.registerGroup). */
export interface RegisteredGroup {
  /** Per item, in the order given; `booked`/`waiting`: the session's places when a `full` item was refused. */
  outcomes: {
    status: 'confirmed' | 'waitlisted' | 'full' | 'late' | 'duplicate_email' | 'duplicate_phone';
    position: number | null;
    booked: number | null;
    waiting: number | null;
  }[];
  /** The registrations written, by id. */
  inserted: Map<string, InsertedRegistration>;
  /** Each session's places after the group. */
  sessions: { id: string; capacity: number; waitlist_capacity: number; booked_places: number; waitlisted_places: number }[];
  /** The event's places after the group. */
  capacity: number;
  booked_places: number;
  waitlisted_places: number;
}

/** A reminder due: the registration, its schedule, and where it is sent from. */
export interface DueReminderRow {
  registration_id: string;
  minutes: number;
  organization_id: string;
  conversation_id: string;
  contact_id: string;
  email: string | null;
  phone: string | null;
  title: string;
  place: string;
  starts_at: Date;
  email_opted_out: boolean;
  phone_opted_out: boolean;
  channel: RegistrationChannel | null;
  /** The citizen objected (RGPD art. 21) or their data is limited (art. 18): no reminder. */
  withheld: boolean;
}

/**
 * Municipal events, their registrations and reminders (issue 17): all of their SQL.
 *
 * LOCK ORDER. A change of places locks the event, then the registration; the registration's notice
 * job locks the registration alone, then the citizen's file (contact, conversation). Both row locks
 * are FOR NO KEY UPDATE (no key of theirs ever changes), which leaves the KEY SHARE locks of
 * foreign-key checks free: a registration inserted or updated by another transaction never waits
 * for them, so no path can wait on the event while holding a registration. A contact merge moving
 * filed registrations locks them before their conversations (ContactMergeRepository.lockRegistrations).
 */
/**
 * A registration `r` of a citizen whose limitation (RGPD art. 18) is in force: linked to their
 * file, or under one of their addresses or numbers (as erasure finds theirs).
 */
const LIMITED_REGISTRANT = `EXISTS (
  SELECT 1 FROM processing_restriction pr
   WHERE pr.organization_id = r.organization_id AND pr.kind = 'limitation' AND pr.lifted_at IS NULL
     AND (pr.contact_id = r.contact_id
          OR EXISTS (SELECT 1 FROM contact_identity ci
                      WHERE ci.contact_id = pr.contact_id
                        AND ((ci.kind = 'email' AND ci.value = lower(r.email)) OR (ci.kind <> 'email' AND ci.value = r.phone)))))`;

@Injectable()
export class MunicipalEventRepository {
  constructor(private readonly db: Database) {}

  async insertEvent(
    m: EntityManager,
    organizationId: string,
    agentId: string | null,
    input: Omit<CreateEventInput, 'teamId'> & { teamId: string },
  ): Promise<string> {
    const keys = Object.keys(FIELDS).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    const cols = keys.map((k) => FIELDS[k]);
    const params = keys.map((k) => value(k, (input as Record<string, unknown>)[k]));
    // Its first session, with its dates and places, has the event's id.
    const [row] = await this.db.query<{ id: string }>(
      `WITH e AS (
         INSERT INTO municipal_event (organization_id, team_id, created_by, ${cols.join(', ')})
         VALUES ($1, $2, $3, ${keys.map((_, i) => `$${i + 4}`).join(', ')})
         RETURNING id, organization_id, starts_at, ends_at, capacity, waitlist_capacity)
       INSERT INTO municipal_event_session (id, organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity)
       SELECT id, organization_id, id, starts_at, ends_at, capacity, waitlist_capacity FROM e RETURNING event_id AS id`,
      [organizationId, input.teamId, agentId, ...params],
      m,
    );
    return row!.id;
  }

  /** A session more for the event (the caller holds its lock, then sums the event up: syncEvent). */
  async insertSession(
    m: EntityManager,
    organizationId: string,
    eventId: string,
    s: { startsAt: string; endsAt: string | null; capacity: number; waitlistCapacity: number },
  ): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO municipal_event_session (organization_id, event_id, starts_at, ends_at, capacity, waitlist_capacity)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [organizationId, eventId, s.startsAt, s.endsAt, s.capacity, s.waitlistCapacity],
    );
    return row.id;
  }

  /** Changes a session's dates or places (the caller holds the event's lock, then calls syncEvent). */
  async updateSession(
    m: EntityManager,
    id: string,
    s: { startsAt?: string; endsAt?: string | null; capacity?: number; waitlistCapacity?: number },
  ): Promise<void> {
    await m.query(
      `UPDATE municipal_event_session SET starts_at = coalesce($2, starts_at),
         ends_at = CASE WHEN $3 THEN $4::timestamptz ELSE ends_at END,
         capacity = coalesce($5, capacity), waitlist_capacity = coalesce($6, waitlist_capacity)
       WHERE id = $1`,
      [id, s.startsAt ?? null, s.endsAt !== undefined, s.endsAt ?? null, s.capacity ?? null, s.waitlistCapacity ?? null],
    );
  }

  /**
   * Cancels a session (the caller holds the event's lock) and its registrations still concerned,
   * cancelled by the town; the event is summed up again. Answers those registrations.
   */
  async cancelSession(m: EntityManager, eventId: string, id: string): Promise<string[]> {
    await m.query(
      `UPDATE municipal_event_session SET cancelled_at = now(), booked_places = 0, waitlisted_places = 0 WHERE id = $1`,
      [id],
    );
    const rows = await this.db.query<{ id: string }>(
      `UPDATE municipal_event_registration SET status = 'cancelled', cancelled_by = 'event', cancelled_at = now(), offer_expires_at = NULL
        WHERE session_id = $1 AND status IN ('confirmed', 'waitlisted', 'offered') RETURNING id`,
      [id],
      m,
    );
    await this.syncEvent(m, eventId);
    return rows.map((r) => r.id);
  }

  /**
   * The event's dates and places summed up from its sessions not cancelled: the first start, the
   * last end (a single session's own end, null included), the sums of places (its CHECKs hold them).
   */
  async syncEvent(m: EntityManager, eventId: string): Promise<void> {
    await m.query(
      `UPDATE municipal_event e SET starts_at = a.starts_at, ends_at = a.ends_at, capacity = a.capacity,
         waitlist_capacity = a.waitlist_capacity, booked_places = a.booked, waitlisted_places = a.waiting, updated_at = now()
         FROM (SELECT min(starts_at) AS starts_at,
                      CASE WHEN count(*) = 1 THEN max(ends_at) ELSE max(coalesce(ends_at, starts_at)) END AS ends_at,
                      sum(capacity)::int AS capacity, sum(waitlist_capacity)::int AS waitlist_capacity,
                      sum(booked_places)::int AS booked, sum(waitlisted_places)::int AS waiting
                 FROM municipal_event_session WHERE event_id = $1 AND cancelled_at IS NULL) a
        WHERE e.id = $1 AND a.starts_at IS NOT NULL`,
      [eventId],
    );
  }

  /** Updates the fields given; false when the event is not this organization's. */
  async updateEvent(m: EntityManager, organizationId: string, id: string, input: Partial<UpdateEventInput>): Promise<boolean> {
    const keys = Object.keys(FIELDS).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    if (!keys.length) return true;
    const sets = keys.map((k, i) => `${FIELDS[k]} = $${i + 3}`);
    const rows = await this.db.query(
      `UPDATE municipal_event SET ${sets.join(', ')}, updated_at = now() WHERE organization_id = $1 AND id = $2 RETURNING id`,
      [organizationId, id, ...keys.map((k) => value(k, (input as Record<string, unknown>)[k]))],
      m,
    );
    return rows.length > 0;
  }

  /**
   * Cancels the event (the caller holds its lock) and, with it, every registration still
   * concerned (confirmed, offered, waiting): cancelled by the event, no place held or waited for.
   * Answers those registrations.
   */
  async cancelEvent(m: EntityManager, id: string): Promise<string[]> {
    await m.query(
      `UPDATE municipal_event SET cancelled_at = now(), updated_at = now(), booked_places = 0, waitlisted_places = 0 WHERE id = $1`,
      [id],
    );
    await m.query(`UPDATE municipal_event_session SET booked_places = 0, waitlisted_places = 0 WHERE event_id = $1`, [id]);
    const rows = await this.db.query<{ id: string }>(
      `UPDATE municipal_event_registration SET status = 'cancelled', cancelled_by = 'event', cancelled_at = now(), offer_expires_at = NULL
        WHERE event_id = $1 AND status IN ('confirmed', 'waitlisted', 'offered') RETURNING id`,
      [id],
      m,
    );
    return rows.map((r) => r.id);
  }

  /**
   * `lock`: the event row is locked FOR NO KEY UPDATE (its id never changes), the first lock of
   * every change of places: event, then registration, then the citizen's file (LOCK ORDER above).
   * The lock is taken by a statement of its own, and the event read by the next one: a statement
   * that waited for a row's lock sees that row as the transaction before it left it, but the other
   * rows it reads (the sessions, their places) as they were when it started, before that
   * transaction committed.
   */
  async findEvent(organizationId: string | null, id: string, m?: EntityManager, lock = false): Promise<EventRow | null> {
    if (lock && !(await this.lockEvent(m!, id, organizationId))) return null;
    const [row] = withSessions(
      await this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM municipal_event e JOIN team t ON t.id = e.team_id
         WHERE e.id = $1 AND ($2::uuid IS NULL OR e.organization_id = $2)`,
        [id, organizationId],
        m,
      ),
    );
    return row ?? null;
  }

  /** Locks the event FOR NO KEY UPDATE (see findEvent); false when there is no such event (of this organization). */
  async lockEvent(m: EntityManager, id: string, organizationId: string | null = null): Promise<boolean> {
    const rows = await m.query(
      `SELECT 1 FROM municipal_event WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2) FOR NO KEY UPDATE`,
      [id, organizationId],
    );
    return rows.length > 0;
  }

  /** The events of an organization (of some services only: `teamIds`), upcoming first. */
  async listEvents(organizationId: string, f: { teamIds?: string[]; past: boolean }): Promise<EventRow[]> {
    return withSessions(
      await this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM municipal_event e JOIN team t ON t.id = e.team_id
       WHERE e.organization_id = $1 AND ($2::uuid[] IS NULL OR e.team_id = ANY($2))
         AND ($3 OR coalesce(e.ends_at, e.starts_at) >= now() - interval '1 day')
       ORDER BY e.starts_at, e.id LIMIT 500`,
        [organizationId, f.teamIds ?? null, f.past],
      ),
    );
  }

  /** The published events of an organization not over yet, by date (the citizens' list). */
  async publicEvents(
    organizationId: string,
    f: { teamId?: string; theme?: string; from?: Date; to?: Date },
  ): Promise<EventRow[]> {
    return withSessions(
      await this.db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM municipal_event e JOIN team t ON t.id = e.team_id
       WHERE e.organization_id = $1 AND e.published AND coalesce(e.ends_at, e.starts_at) >= now()
         AND ($2::uuid IS NULL OR e.team_id = $2) AND ($3::text IS NULL OR lower(e.theme) = lower($3))
         AND ($4::timestamptz IS NULL OR e.starts_at >= $4) AND ($5::timestamptz IS NULL OR e.starts_at < $5)
       ORDER BY e.starts_at, e.id LIMIT 200`,
        [organizationId, f.teamId ?? null, f.theme ?? null, f.from ?? null, f.to ?? null],
      ),
    );
  }

  async publicThemes(organizationId: string): Promise<string[]> {
    const rows = await this.db.query<{ theme: string }>(
      `SELECT DISTINCT theme FROM municipal_event
       WHERE organization_id = $1 AND published AND theme <> '' AND coalesce(ends_at, starts_at) >= now() ORDER BY theme`,
      [organizationId],
    );
    return rows.map((r) => r.theme);
  }

  /**
   * Writes a group of new registrations of one event (RegistrationService's group commit) by the
   * function `municipal_event_register` (migration 1765113000000 says its rule), called as a
   * statement of its own: its transaction is that statement, so the event's lock is held for the
   * server's work and the commit only. `items` in arrival order, each with its id and its notice
   * job's data per status it may get; `jobInsert`: pg-boss's insert statement of their queue.
   * Answers each item's outcome and, for each registration written, its creation time and the
   * identities its registrant opted out of (OPTED_OUT); null when there is no such event.
   */
  async registerGroup(
    eventId: string,
    organizationId: string,
    items: (Omit<NewRegistration, 'organizationId' | 'eventId' | 'status'> & {
      id: string;
      jobs: { confirmed: object; waitlisted: object };
    })[],
    jobInsert: string,
  ): Promise<RegisteredGroup | null> {
    const [row] = await this.db.query<{
      result: (Omit<RegisteredGroup, 'inserted'> & { inserted: Record<string, string> }) | null;
      opted: { id: string; email_opted_out: boolean; phone_opted_out: boolean }[];
    }>(
      `WITH g AS MATERIALIZED (SELECT municipal_event_register($1, $2::jsonb, $3) AS result)
       SELECT g.result,
              (SELECT coalesce(jsonb_agg(to_jsonb(o)), '[]') FROM (
                 SELECT r.id, ${OPTED_OUT} FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, email text, phone text, organization_id uuid)
                  WHERE g.result->'inserted' ? r.id::text) o) AS opted
         FROM g`,
      [
        eventId,
        pgJson(
          items.map((r, ord) => ({ ord, id: r.id, organization_id: organizationId, ...registrationColumns(r), jobs: r.jobs })),
        ),
        jobInsert,
      ],
    );
    const result = row?.result;
    if (!result) return null;
    const opted = new Map(row.opted.map((o) => [o.id, o]));
    const inserted = new Map(
      Object.entries(result.inserted).map(([id, at]) => [
        id,
        {
          id,
          created_at: new Date(at),
          email_opted_out: opted.get(id)?.email_opted_out ?? false,
          phone_opted_out: opted.get(id)?.phone_opted_out ?? false,
        },
      ]),
    );
    return { ...result, inserted };
  }

  /**
   * Inserts registrations in one statement, in the order given: their `seq` (the waiting list's
   * order) follows it. Their ids are the caller's when given (answers are matched by them).
   * `moves`: the counters of their sessions (and the event's) move in the same statement (the CHECK
   * constraints refuse any excess). Answers each row's id, creation time and opted-out identities, in the order given.
   */
  async insertRegistrations(
    m: EntityManager,
    rows: (NewRegistration & { id?: string })[],
    moves: { sessionId: string; booked: number; waitlisted: number }[] = [],
  ): Promise<InsertedRegistration[]> {
    if (!rows.length) return [];
    const inserted: InsertedRegistration[] = await m.query(
      `WITH inserted AS (
         INSERT INTO municipal_event_registration AS r
           (id, organization_id, event_id, session_id, name, email, phone, places, answers, consent_reminders, status, channel)
         SELECT coalesce(id, gen_random_uuid()), organization_id, event_id, session_id, name, email, phone, places, answers,
                consent_reminders, status, channel
           FROM jsonb_to_recordset($1::jsonb) AS x(ord int, id uuid, organization_id uuid, event_id uuid, session_id uuid,
                  name text, email text, phone text, places int, answers jsonb, consent_reminders boolean, status text, channel text)
          ORDER BY ord
         RETURNING r.id, r.seq, r.created_at, ${OPTED_OUT}),
       moves AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS d(session_id uuid, booked int, waitlisted int)),
       sessions AS (
         UPDATE municipal_event_session s SET booked_places = s.booked_places + d.booked,
                waitlisted_places = s.waitlisted_places + d.waitlisted
           FROM moves d WHERE s.id = d.session_id AND s.event_id = $2),
       counted AS (
         UPDATE municipal_event SET booked_places = booked_places + (SELECT sum(booked) FROM moves),
                waitlisted_places = waitlisted_places + (SELECT sum(waitlisted) FROM moves)
          WHERE id = $2 AND EXISTS (SELECT 1 FROM moves))
       SELECT id, created_at, email_opted_out, phone_opted_out FROM inserted ORDER BY seq`,
      [
        pgJson(
          rows.map((r, ord) => ({
            ord,
            id: r.id ?? null,
            organization_id: r.organizationId,
            event_id: r.eventId,
            status: r.status,
            ...registrationColumns(r),
          })),
        ),
        rows[0]!.eventId,
        JSON.stringify(
          moves
            .filter((x) => x.booked || x.waitlisted)
            .map((x) => ({ session_id: x.sessionId, booked: x.booked, waitlisted: x.waitlisted })),
        ),
      ],
    );
    return inserted;
  }

  /** Moves a session's counters and its event's, in one statement (the CHECK constraints of both refuse any excess). */
  async addPlaces(m: EntityManager, eventId: string, sessionId: string, booked: number, waitlisted: number): Promise<void> {
    await this.addPlacesMany(m, eventId, [{ sessionId, booked, waitlisted }]);
  }

  /** addPlaces for several sessions of one event at once. */
  async addPlacesMany(
    m: EntityManager,
    eventId: string,
    moves: { sessionId: string; booked: number; waitlisted: number }[],
  ): Promise<void> {
    if (!moves.length) return;
    await m.query(
      `WITH d AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS d(session_id uuid, booked int, waitlisted int)),
            s AS (UPDATE municipal_event_session s SET booked_places = s.booked_places + d.booked,
                         waitlisted_places = s.waitlisted_places + d.waitlisted
                    FROM d WHERE s.id = d.session_id AND s.event_id = $1)
       UPDATE municipal_event SET booked_places = booked_places + (SELECT sum(booked) FROM d),
              waitlisted_places = waitlisted_places + (SELECT sum(waitlisted) FROM d)
        WHERE id = $1`,
      [eventId, JSON.stringify(moves.map((x) => ({ session_id: x.sessionId, booked: x.booked, waitlisted: x.waitlisted })))],
    );
  }

  /** `lock`: FOR NO KEY UPDATE, after the event's lock when the caller takes both (LOCK ORDER above). */
  async findRegistration(id: string, m?: EntityManager, lock = false): Promise<RegistrationRow | null> {
    const [row] = await this.db.query<RegistrationRow>(
      `SELECT ${REGISTRATION_COLUMNS} FROM municipal_event_registration r WHERE r.id = $1 ${lock ? 'FOR NO KEY UPDATE' : ''}`,
      [id],
      m,
    );
    return row ?? null;
  }

  /**
   * Registrations just changed, with their event's service and places, read in the writer's
   * transaction `m` (what the agents' screens are told once it commits).
   */
  async changedRegistrations(m: EntityManager, ids: string[]): Promise<ChangedRegistrationRow[]> {
    return this.db.query<ChangedRegistrationRow>(
      `SELECT ${REGISTRATION_COLUMNS}, e.team_id, e.capacity, e.booked_places, e.waitlisted_places,
              s.capacity AS session_capacity, s.booked_places AS session_booked_places, s.waitlisted_places AS session_waitlisted_places
       FROM municipal_event_registration r JOIN municipal_event e ON e.id = r.event_id
       JOIN municipal_event_session s ON s.id = r.session_id
       WHERE r.id = ANY($1) ORDER BY r.seq`,
      [ids],
      m,
    );
  }

  /** The registrations of an event (of one session: `sessionId`), in their order. */
  async registrations(eventId: string, sessionId?: string): Promise<RegistrationRow[]> {
    return this.db.query<RegistrationRow>(
      `SELECT ${REGISTRATION_COLUMNS} FROM municipal_event_registration r
        WHERE r.event_id = $1 AND ($2::uuid IS NULL OR r.session_id = $2) ORDER BY r.seq`,
      [eventId, sessionId ?? null],
    );
  }

  /** The registrations still concerned by the event (confirmed, offered, waitlisted), for a message to all. */
  async activeRegistrations(
    m: EntityManager | undefined,
    eventId: string,
    ids?: string[],
    sessionId?: string,
  ): Promise<RegistrationRow[]> {
    return this.db.query<RegistrationRow>(
      `SELECT ${REGISTRATION_COLUMNS} FROM municipal_event_registration r
       WHERE r.event_id = $1 AND r.status IN ('confirmed', 'waitlisted', 'offered') AND ($2::uuid[] IS NULL OR r.id = ANY($2))
         AND ($3::uuid IS NULL OR r.session_id = $3)
       ORDER BY r.seq`,
      [eventId, ids ?? null, sessionId ?? null],
      m,
    );
  }

  /**
   * The registrations still concerned by the event, locked (the caller holds the event's lock:
   * LOCK ORDER), with the identities their registrants opted out of: who an event's change is told to.
   */
  async lockActiveRegistrations(m: EntityManager, eventId: string, sessionId?: string): Promise<RegistrationRow[]> {
    return this.db.query(
      `SELECT ${REGISTRATION_COLUMNS} FROM municipal_event_registration r
       WHERE r.event_id = $1 AND r.status IN ('confirmed', 'waitlisted', 'offered') AND ($2::uuid IS NULL OR r.session_id = $2)
       ORDER BY r.seq FOR NO KEY UPDATE OF r`,
      [eventId, sessionId ?? null],
      m,
    );
  }

  /**
   * The session moved to `startsAt`: the reminders already claimed whose time under the new start
   * is still to come are forgotten, so they go out again at that time (once per schedule of the
   * date the session now has).
   */
  async rearmReminders(m: EntityManager, sessionId: string, startsAt: Date): Promise<void> {
    await m.query(
      `DELETE FROM municipal_event_reminder x USING municipal_event_registration r
        WHERE r.id = x.registration_id AND r.session_id = $1 AND $2::timestamptz - make_interval(mins => x.minutes) > now()`,
      [sessionId, startsAt],
    );
  }

  /** `cancelledBy`: who cancels, for a status `cancelled`. */
  async setStatus(
    m: EntityManager,
    id: string,
    status: RegistrationStatus,
    offerExpiresAt: Date | null = null,
    cancelledBy: RegistrationCanceller | null = null,
  ): Promise<void> {
    await m.query(
      `UPDATE municipal_event_registration SET status = $2, offer_expires_at = $3,
         cancelled_at = CASE WHEN $2 IN ('cancelled', 'expired') THEN now() ELSE cancelled_at END,
         cancelled_by = CASE WHEN $2 = 'cancelled' THEN $4 END
       WHERE id = $1`,
      [id, status, offerExpiresAt, cancelledBy],
    );
  }

  /** The head of a session's waiting list (its oldest waitlisted registration), if any. */
  async waitlistHead(m: EntityManager, sessionId: string): Promise<RegistrationRow | null> {
    const [row] = await this.db.query<RegistrationRow>(
      `SELECT ${REGISTRATION_COLUMNS} FROM municipal_event_registration r
       WHERE r.session_id = $1 AND r.status = 'waitlisted' ORDER BY r.seq LIMIT 1`,
      [sessionId],
      m,
    );
    return row ?? null;
  }

  /** Offers whose time to confirm is over, oldest first, with their event. */
  async expiredOffers(now: Date, limit: number): Promise<{ id: string; event_id: string }[]> {
    return this.db.query(
      `SELECT id, event_id FROM municipal_event_registration
       WHERE status = 'offered' AND offer_expires_at <= $1 ORDER BY offer_expires_at LIMIT $2`,
      [now, limit],
    );
  }

  /**
   * Marks a confirmed registration present (or not): its citizen's file and name, and whether the
   * mark changed (`changed`: marking present twice changes nothing); null when there is no such
   * confirmed registration.
   */
  async setCheckIn(
    m: EntityManager,
    organizationId: string,
    eventId: string,
    id: string,
    present: boolean,
  ): Promise<{ contact_id: string | null; conversation_id: string | null; name: string; changed: boolean } | null> {
    const [row] = await this.db.query<{
      contact_id: string | null;
      conversation_id: string | null;
      name: string;
      changed: boolean;
    }>(
      `UPDATE municipal_event_registration r SET checked_in_at = CASE WHEN $4 THEN coalesce(r.checked_in_at, now()) END
         FROM (SELECT id, checked_in_at FROM municipal_event_registration WHERE id = $3 FOR NO KEY UPDATE) old
       WHERE r.id = old.id AND r.organization_id = $1 AND r.event_id = $2 AND r.status = 'confirmed'
       RETURNING r.contact_id, r.conversation_id, r.name, (old.checked_in_at IS NOT NULL) <> $4 AS changed`,
      [organizationId, eventId, id, present],
      m,
    );
    return row ?? null;
  }

  /** The registrations of a citizen (their file), of some services only (`teamIds`), latest event first. */
  async byContact(organizationId: string, contactId: string, teamIds: string[] | null): Promise<ContactRegistrationRow[]> {
    return this.db.query(
      `SELECT ${REGISTRATION_COLUMNS}, e.title, s.starts_at, e.team_id, t.name AS team_name,
              coalesce(e.cancelled_at, s.cancelled_at) AS event_cancelled_at,
              (e.cancelled_at IS NULL AND s.cancelled_at IS NOT NULL) AS session_cancelled
       FROM municipal_event_registration r
       JOIN municipal_event e ON e.id = r.event_id JOIN municipal_event_session s ON s.id = r.session_id
       JOIN team t ON t.id = e.team_id
       WHERE r.organization_id = $1 AND r.contact_id = $2 AND ($3::uuid[] IS NULL OR e.team_id = ANY($3))
       ORDER BY s.starts_at DESC, r.seq LIMIT 200`,
      [organizationId, contactId, teamIds],
    );
  }

  /**
   * Claims the reminders due at `now` (at most `limit`): a row per (registration, schedule)
   * inserted once — a re-run or another instance claims nothing already claimed. Only for
   * confirmed registrations that consented, made before the reminder's time, of an event not
   * cancelled and not started, already linked to their conversation. The registrations are locked
   * until the caller's transaction ends, skipping those another transaction holds (a notice job,
   * a cancellation, a second sweep: the next sweep takes them), so none is cancelled between the
   * claim and its message. Each row says which of the registrant's identities opted out.
   */
  async claimDueReminders(m: EntityManager, now: Date, limit: number): Promise<DueReminderRow[]> {
    return m.query(
      `WITH due AS (
         SELECT r.id AS registration_id, mins AS minutes
         FROM municipal_event_session s
         JOIN municipal_event e ON e.id = s.event_id
         CROSS JOIN LATERAL unnest(e.reminder_minutes) AS mins
         JOIN municipal_event_registration r ON r.session_id = s.id
         WHERE s.cancelled_at IS NULL AND e.cancelled_at IS NULL AND s.starts_at > $1
           AND s.starts_at - make_interval(mins => mins) <= $1
           AND s.starts_at <= $1 + interval '31 days'
           AND r.status = 'confirmed' AND r.consent_reminders AND r.conversation_id IS NOT NULL
           AND r.created_at < s.starts_at - make_interval(mins => mins)
           AND NOT EXISTS (SELECT 1 FROM municipal_event_reminder x WHERE x.registration_id = r.id AND x.minutes = mins)
         LIMIT $2
         FOR NO KEY UPDATE OF r SKIP LOCKED),
       claimed AS (
         INSERT INTO municipal_event_reminder (registration_id, minutes, sent_at)
         SELECT registration_id, minutes, $1 FROM due
         ON CONFLICT DO NOTHING RETURNING registration_id, minutes)
       SELECT c.registration_id, c.minutes, r.organization_id, r.conversation_id, r.contact_id, r.email, r.phone, r.channel,
              e.title, e.place, s.starts_at, ${OPTED_OUT},
              EXISTS (SELECT 1 FROM processing_restriction pr WHERE pr.contact_id = r.contact_id AND pr.lifted_at IS NULL) AS withheld
       FROM claimed c JOIN municipal_event_registration r ON r.id = c.registration_id
       JOIN municipal_event e ON e.id = r.event_id JOIN municipal_event_session s ON s.id = r.session_id
       ORDER BY r.organization_id, r.seq, c.minutes DESC`,
      [now, limit],
    );
  }

  /** The message each claimed reminder sent, in one statement. */
  async setReminderMessages(
    m: EntityManager,
    sent: { registrationId: string; minutes: number; messageId: string }[],
  ): Promise<void> {
    if (!sent.length) return;
    await m.query(
      `UPDATE municipal_event_reminder x SET message_id = s.message_id
         FROM jsonb_to_recordset($1::jsonb) AS s(registration_id uuid, minutes int, message_id uuid)
        WHERE x.registration_id = s.registration_id AND x.minutes = s.minutes`,
      [pgJson(sent.map((v) => ({ registration_id: v.registrationId, minutes: v.minutes, message_id: v.messageId })))],
    );
  }

  async notified(m: EntityManager, id: string, notice: string): Promise<boolean> {
    const [row] = await m.query(`SELECT $2 = ANY(notified) AS done FROM municipal_event_registration WHERE id = $1`, [
      id,
      notice,
    ]);
    return !!row?.done;
  }

  /**
   * Records a notice as written, and the citizen's file it opened (`file`, the first time), in one
   * UPDATE: a second update of a row the transaction already changed would re-check all its
   * foreign keys, taking a KEY SHARE lock on the event behind the registration's lock.
   */
  async markNotified(
    m: EntityManager,
    id: string,
    notice: string,
    file: { contactId: string; conversationId: string } | null,
  ): Promise<void> {
    await m.query(
      `UPDATE municipal_event_registration SET notified = array_append(notified, $2),
         contact_id = coalesce($3, contact_id), conversation_id = coalesce($4, conversation_id)
       WHERE id = $1`,
      [id, notice, file?.contactId ?? null, file?.conversationId ?? null],
    );
  }

  async teamExists(m: EntityManager, organizationId: string, teamId: string): Promise<boolean> {
    const rows = await m.query(`SELECT 1 FROM team WHERE organization_id = $1 AND id = $2`, [organizationId, teamId]);
    return rows.length > 0;
  }

  /**
   * `archived`: the platform archived the town (its event pages say the service is closed); with
   * what their footer's conformity level rests on.
   */
  async organizationBySlug(
    slug: string,
  ): Promise<({ id: string; name: string; slug: string; archived: boolean } & ConformityColumns) | null> {
    const [row] = await this.db.query<{ id: string; name: string; slug: string; archived: boolean } & ConformityColumns>(
      `SELECT id, name, slug, archived_at IS NOT NULL AS archived, ${conformityColumns('o')} FROM organization o WHERE slug = $1`,
      [slug],
    );
    return row ?? null;
  }

  async organizationName(id: string, m?: EntityManager): Promise<{ name: string; slug: string }> {
    const [row] = await this.db.query<{ name: string; slug: string }>(
      `SELECT name, slug FROM organization WHERE id = $1`,
      [id],
      m,
    );
    return row!;
  }

  /**
   * Retention (issue 16): up to `limit` events ended more than their organization's
   * `event_registration_retention_days` ago that still have registrants to anonymize, locked as a
   * registration locks its event; their registrants lose name, e-mail, phone, answers and their
   * links to the citizen's file and conversation (which would name them again), and their
   * reminders the link to the message sent. Places, status, attendance and dates stay (the event's
   * figures). A registrant whose citizen's limitation is in force (RGPD art. 18) is kept as it is,
   * as retention keeps that citizen's files: stored, not processed, until the limitation is lifted
   * (a later run anonymizes them then). Returns the count per event.
   */
  async anonymizePastRegistrants(
    m: EntityManager,
    o: { organizationId: string | null; now: Date; limit: number },
  ): Promise<{ event_id: string; organization_id: string; title: string; n: number }[]> {
    const rows = await this.db.query<{ event_id: string; organization_id: string; title: string; n: number }>(
      `WITH past AS (
         SELECT e.id, e.organization_id, e.title FROM municipal_event e JOIN organization o ON o.id = e.organization_id
          WHERE ($1::uuid IS NULL OR e.organization_id = $1)
            AND coalesce(e.ends_at, e.starts_at) < $2::timestamptz - make_interval(days => o.event_registration_retention_days)
            AND EXISTS (SELECT 1 FROM municipal_event_registration r
                         WHERE r.event_id = e.id AND r.anonymized_at IS NULL AND NOT ${LIMITED_REGISTRANT})
          ORDER BY e.starts_at
          LIMIT $3
            FOR NO KEY UPDATE OF e
       ), done AS (
         UPDATE municipal_event_registration r
            SET name = '', email = NULL, phone = NULL, answers = '{}', contact_id = NULL, conversation_id = NULL,
                anonymized_at = $2
           FROM past WHERE r.event_id = past.id AND r.anonymized_at IS NULL AND NOT ${LIMITED_REGISTRANT}
         RETURNING r.id, r.event_id
       ), reminders AS (
         UPDATE municipal_event_reminder mr SET message_id = NULL FROM done WHERE mr.registration_id = done.id
       )
       SELECT past.id AS event_id, past.organization_id, past.title, count(done.id)::int AS n
         FROM past JOIN done ON done.event_id = past.id GROUP BY 1, 2, 3`,
      [o.organizationId, o.now, o.limit],
      m,
    );
    return rows;
  }
}
