import { z } from 'zod';
import { citizenContactFields, LIMITS } from './schemas';

/**
 * Municipal events (issue 17, Publik's agenda module as the reference): a service publishes an
 * event with places, an optional waiting list, a booking window and its own questions; citizens
 * register without an account and are reminded by SMS or e-mail.
 */

export const EVENT_PROMOTIONS = ['automatic', 'manual'] as const;
export type EventPromotion = (typeof EVENT_PROMOTIONS)[number];

export const REGISTRATION_STATUSES = ['confirmed', 'waitlisted', 'offered', 'cancelled', 'expired'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/**
 * Who cancelled a registration: the citizen (their link), the service (an agent, at the front
 * desk), or the town by cancelling the event.
 */
export const REGISTRATION_CANCELLERS = ['citizen', 'agent', 'event'] as const;
export type RegistrationCanceller = (typeof REGISTRATION_CANCELLERS)[number];

/**
 * How a registrant who gave both an e-mail address and a phone number chose to be told (the
 * confirmation, the waiting list's news, reminders, the town's messages): by e-mail or by SMS.
 * Without a choice, e-mail first. The other channel still serves when the town has no channel of
 * the kind chosen, or the citizen refused messages there.
 */
export const REGISTRATION_CHANNELS = ['email', 'sms'] as const;
export type RegistrationChannel = (typeof REGISTRATION_CHANNELS)[number];

/** A registration that holds (or waits for) places: the others are history. */
export const ACTIVE_REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['confirmed', 'waitlisted', 'offered'];

/**
 * How the reason of a registrant's notice that was not sent starts (a reminder, a confirmation, an
 * offer queued before its registration, event or session was cancelled: the outbound claim settles
 * it `failed` with this reason instead of sending it). Such a notice is never sent again
 * (MessageDto.skipped).
 */
export const NOTICE_NOT_SENT = 'non envoyé :';

export const EVENT_LIMITS = {
  titleChars: 160,
  descriptionChars: 5_000,
  placeChars: 300,
  capacityMax: 100_000,
  placesPerRegistrationMax: 20,
  questionsMax: 10,
  answerChars: 500,
  remindersMax: 4,
  /** A reminder at most 30 days before. */
  reminderMinutesMax: 30 * 24 * 60,
  /** Registrations open at most a year before (a booking lead time in days). */
  bookingOpensDaysMax: 365,
  /** …and close at most thirty days before (in hours). */
  bookingClosesHoursMax: 30 * 24,
} as const;

/** Online cancellation closes this many hours before the start unless the event says otherwise (RDV-Solidarités). */
export const DEFAULT_CANCEL_CUTOFF_HOURS = 4;

const isoDate = (what: string) =>
  z.iso.datetime({ offset: true, message: `${what} : date et heure ISO 8601 attendues (2026-06-21T18:00:00+02:00)` });

export const eventQuestionSchema = z.object({
  /** Stable key of the answer; generated from the label when absent. */
  id: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,40}$/, 'identifiant de question : lettres minuscules, chiffres et tirets')
    .optional(),
  label: z.string().trim().min(1, 'le libellé de la question est vide').max(200),
  required: z.boolean('vrai ou faux attendu').default(false),
});
export type EventQuestionInput = z.input<typeof eventQuestionSchema>;
export interface EventQuestion {
  id: string;
  label: string;
  required: boolean;
}

const eventFields = {
  title: z.string('le titre est obligatoire').trim().min(1, 'le titre est obligatoire').max(EVENT_LIMITS.titleChars),
  description: z.string().trim().max(EVENT_LIMITS.descriptionChars),
  place: z.string('le lieu est obligatoire').trim().min(1, 'le lieu est obligatoire').max(EVENT_LIMITS.placeChars),
  theme: z.string().trim().max(60),
  audience: z.string().trim().max(200),
  priceInfo: z.string().trim().max(200),
  startsAt: isoDate('début'),
  endsAt: isoDate('fin').nullable(),
  capacity: z
    .number('nombre de places attendu')
    .int('nombre de places entier attendu')
    .min(1, 'au moins une place')
    .max(EVENT_LIMITS.capacityMax),
  waitlistCapacity: z.number('nombre attendu').int('nombre entier attendu').min(0).max(EVENT_LIMITS.capacityMax),
  maxPlacesPerRegistration: z
    .number('nombre attendu')
    .int('nombre entier attendu')
    .min(1, 'au moins une place par inscription')
    .max(EVENT_LIMITS.placesPerRegistrationMax, `${EVENT_LIMITS.placesPerRegistrationMax} places par inscription au plus`),
  published: z.boolean('vrai ou faux attendu'),
  bookingOpensAt: isoDate('ouverture des inscriptions').nullable(),
  bookingClosesAt: isoDate('clôture des inscriptions').nullable(),
  /** Booking lead times (Publik): registrations open this many days before the start (null: no limit). */
  bookingOpensDaysBefore: z
    .number('nombre de jours attendu')
    .int('nombre de jours entier attendu')
    .min(1, 'au moins un jour avant le début')
    .max(EVENT_LIMITS.bookingOpensDaysMax, `${EVENT_LIMITS.bookingOpensDaysMax} jours au plus`)
    .nullable(),
  /** …and close this many hours before the start (null: at the start). */
  bookingClosesHoursBefore: z
    .number('nombre d’heures attendu')
    .int('nombre d’heures entier attendu')
    .min(0)
    .max(EVENT_LIMITS.bookingClosesHoursMax, 'trente jours au plus')
    .nullable(),
  promotion: z.enum(EVENT_PROMOTIONS, 'promotion automatique ou manuelle (automatic, manual)'),
  /** The time a promoted person has to confirm their place. */
  confirmationHours: z
    .number('nombre d’heures attendu')
    .int()
    .min(1)
    .max(24 * 14),
  /** Citizens cancel online through their link until this many hours before the start (RDV-Solidarités: 4 h). */
  cancelCutoffHours: z
    .number('nombre d’heures attendu')
    .int('nombre d’heures entier attendu')
    .min(0)
    .max(24 * 30, 'trente jours au plus'),
  /** Reminders, in minutes before the start (2880 = 48 h, 120 = 2 h). */
  reminderMinutes: z
    .array(z.number().int().min(5, 'un rappel au moins 5 minutes avant').max(EVENT_LIMITS.reminderMinutesMax))
    .max(EVENT_LIMITS.remindersMax, `${EVENT_LIMITS.remindersMax} rappels au plus`),
  questions: z.array(eventQuestionSchema).max(EVENT_LIMITS.questionsMax, `${EVENT_LIMITS.questionsMax} questions au plus`),
};

const datesInOrder = (v: {
  startsAt?: string;
  endsAt?: string | null;
  bookingOpensAt?: string | null;
  bookingClosesAt?: string | null;
}) =>
  (!v.startsAt || !v.endsAt || Date.parse(v.endsAt) > Date.parse(v.startsAt)) &&
  (!v.bookingOpensAt || !v.bookingClosesAt || Date.parse(v.bookingClosesAt) > Date.parse(v.bookingOpensAt));
const DATES_IN_ORDER = { message: 'la fin doit suivre le début (événement et inscriptions)', path: ['endsAt'] };

/** The booking lead times leave registrations some time open: they open before they close. */
export const leadTimesInOrder = (v: { bookingOpensDaysBefore?: number | null; bookingClosesHoursBefore?: number | null }) =>
  v.bookingOpensDaysBefore == null ||
  v.bookingClosesHoursBefore == null ||
  v.bookingOpensDaysBefore * 24 > v.bookingClosesHoursBefore;
/** Why lead times that leave no time to register are refused (the API says it of an edit too). */
export const LEAD_TIMES_MESSAGE =
  'les inscriptions doivent ouvrir avant de fermer : le délai d’ouverture (jours) doit dépasser celui de clôture (heures)';
// zod takes `message` out of the object it is given: each schema gets its own.
const leadTimesIssue = () => ({ message: LEAD_TIMES_MESSAGE, path: ['bookingClosesHoursBefore'] });

/** `POST /events` (agents of the event's service, supervisors, admins). */
export const createEventSchema = z
  .object({
    teamId: z.uuid('identifiant de service invalide'),
    title: eventFields.title,
    description: eventFields.description.default(''),
    place: eventFields.place,
    theme: eventFields.theme.default(''),
    audience: eventFields.audience.default(''),
    priceInfo: eventFields.priceInfo.default(''),
    startsAt: eventFields.startsAt,
    endsAt: eventFields.endsAt.default(null),
    capacity: eventFields.capacity,
    waitlistCapacity: eventFields.waitlistCapacity.default(0),
    maxPlacesPerRegistration: eventFields.maxPlacesPerRegistration.default(1),
    published: eventFields.published.default(false),
    bookingOpensAt: eventFields.bookingOpensAt.default(null),
    bookingClosesAt: eventFields.bookingClosesAt.default(null),
    bookingOpensDaysBefore: eventFields.bookingOpensDaysBefore.default(null),
    bookingClosesHoursBefore: eventFields.bookingClosesHoursBefore.default(null),
    promotion: eventFields.promotion.default('automatic'),
    confirmationHours: eventFields.confirmationHours.default(48),
    cancelCutoffHours: eventFields.cancelCutoffHours.default(DEFAULT_CANCEL_CUTOFF_HOURS),
    reminderMinutes: eventFields.reminderMinutes.default([2880, 120]),
    questions: eventFields.questions.default([]),
  })
  .refine(datesInOrder, DATES_IN_ORDER)
  .refine(leadTimesInOrder, leadTimesIssue());
export type CreateEventInput = z.infer<typeof createEventSchema>;

/** `PATCH /events/:id`: any field but the service; `notify` tells every registrant of the change. */
export const updateEventSchema = z
  .object({
    title: eventFields.title.optional(),
    description: eventFields.description.optional(),
    place: eventFields.place.optional(),
    theme: eventFields.theme.optional(),
    audience: eventFields.audience.optional(),
    priceInfo: eventFields.priceInfo.optional(),
    startsAt: eventFields.startsAt.optional(),
    endsAt: eventFields.endsAt.optional(),
    capacity: eventFields.capacity.optional(),
    waitlistCapacity: eventFields.waitlistCapacity.optional(),
    maxPlacesPerRegistration: eventFields.maxPlacesPerRegistration.optional(),
    published: eventFields.published.optional(),
    bookingOpensAt: eventFields.bookingOpensAt.optional(),
    bookingClosesAt: eventFields.bookingClosesAt.optional(),
    bookingOpensDaysBefore: eventFields.bookingOpensDaysBefore.optional(),
    bookingClosesHoursBefore: eventFields.bookingClosesHoursBefore.optional(),
    promotion: eventFields.promotion.optional(),
    confirmationHours: eventFields.confirmationHours.optional(),
    cancelCutoffHours: eventFields.cancelCutoffHours.optional(),
    reminderMinutes: eventFields.reminderMinutes.optional(),
    questions: eventFields.questions.optional(),
    /** A message to every registrant about the change (date, place…). */
    notify: z.string().trim().max(2000).optional(),
  })
  .refine((v) => Object.entries(v).some(([k, x]) => k !== 'notify' && x !== undefined), { message: 'aucun changement demandé' })
  .refine(datesInOrder, DATES_IN_ORDER)
  .refine(leadTimesInOrder, leadTimesIssue());
export type UpdateEventInput = z.infer<typeof updateEventSchema>;

/**
 * `POST /events/:id/sessions`: one more session of the event (a workshop on three afternoons):
 * its dates and places; the event's questions, lead times and reminders apply to each.
 */
export const createSessionSchema = z
  .object({
    startsAt: eventFields.startsAt,
    endsAt: eventFields.endsAt.default(null),
    capacity: eventFields.capacity,
    waitlistCapacity: eventFields.waitlistCapacity.default(0),
  })
  .refine(datesInOrder, DATES_IN_ORDER);
export type CreateSessionInput = z.infer<typeof createSessionSchema>;

/** `PATCH /events/:id/sessions/:sessionId`: its dates or places; its registrants are told of a new date. */
export const updateSessionSchema = z
  .object({
    startsAt: eventFields.startsAt.optional(),
    endsAt: eventFields.endsAt.optional(),
    capacity: eventFields.capacity.optional(),
    waitlistCapacity: eventFields.waitlistCapacity.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' })
  .refine(datesInOrder, DATES_IN_ORDER);
export type UpdateSessionInput = z.infer<typeof updateSessionSchema>;

export const cancelEventSchema = z.object({
  message: z.string().trim().min(1, 'le message aux inscrits est obligatoire').max(2000),
});
export type CancelEventInput = z.infer<typeof cancelEventSchema>;

export const duplicateEventSchema = z
  .object({ startsAt: eventFields.startsAt.optional(), endsAt: eventFields.endsAt.optional() })
  .refine(datesInOrder, DATES_IN_ORDER);
export type DuplicateEventInput = z.infer<typeof duplicateEventSchema>;

export const listEventsQuerySchema = z.object({
  teamId: z.uuid('identifiant de service invalide').optional(),
  /** Past events too (default: upcoming and in progress). */
  past: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type ListEventsQuery = z.infer<typeof listEventsQuerySchema>;

export const messageRegistrantsSchema = z.object({
  body: z.string().trim().min(1, 'le message est vide').max(2000),
  /** Some registrants only (default: every confirmed, offered or waitlisted one). */
  registrationIds: z.array(z.uuid('inscription inconnue')).max(5000).optional(),
  /** The registrants of one session only. */
  sessionId: z.uuid('séance inconnue').optional(),
});
export type MessageRegistrantsInput = z.infer<typeof messageRegistrantsSchema>;

/** `POST /events/:id/messages` (and an event's cancellation): who got the message, who could not yet or at all. */
export interface MessageRegistrantsResult {
  sent: number;
  /** pending + unreachable. */
  skipped: number;
  /** Registered a moment ago: their conversation is not written yet. */
  pending: number;
  /** No enabled channel reaches their e-mail address or phone number. */
  unreachable: number;
}

export const checkInSchema = z.object({ present: z.boolean('vrai ou faux attendu') });

/** The citizen's registration. `website` is the honeypot of the public forms. */
export const publicRegistrationSchema = z
  .object({
    name: z.string('le nom est obligatoire').trim().min(1, 'le nom est obligatoire').max(LIMITS.nameChars),
    ...citizenContactFields,
    places: z.coerce
      .number('nombre de places attendu')
      .int('nombre de places entier attendu')
      .min(1, 'au moins une place')
      .max(EVENT_LIMITS.placesPerRegistrationMax)
      .default(1),
    answers: z.record(z.string(), z.string().trim().max(EVENT_LIMITS.answerChars, 'réponse trop longue')).default({}),
    consentReminders: z
      .union([z.boolean(), z.enum(['on', 'true', 'false'])])
      .optional()
      .transform((v) => v === true || v === 'on' || v === 'true'),
    website: z.string().max(200).optional(),
    /** The session (required when the event has more than one). */
    sessionId: z
      .uuid('séance inconnue')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    /** How to be told, when both an e-mail address and a phone number are given (RegistrationChannel). */
    channel: z
      .enum(REGISTRATION_CHANNELS, 'e-mail ou SMS attendu')
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .refine((v) => v.email || v.phone, { message: 'indiquez une adresse e-mail ou un numéro de téléphone', path: ['email'] })
  .refine((v) => v.channel !== 'sms' || v.phone || !v.email, {
    message: 'pour être prévenu par SMS, indiquez un numéro de téléphone portable',
    path: ['phone'],
  })
  .refine((v) => v.channel !== 'email' || v.email || !v.phone, {
    message: 'pour être prévenu par e-mail, indiquez une adresse e-mail',
    path: ['email'],
  });
export type PublicRegistrationInput = z.infer<typeof publicRegistrationSchema>;

/** A session of an event: its dates and places (an event has one or more). */
export interface EventSessionDto {
  id: string;
  startsAt: string;
  endsAt: string | null;
  capacity: number;
  waitlistCapacity: number;
  bookedPlaces: number;
  availablePlaces: number;
  waitlistedPlaces: number;
  /** When the session was cancelled (null: it was not). */
  cancelledAt: string | null;
}

/**
 * An event. Its dates and places are the summary of its sessions not cancelled (first start,
 * last end, sums): those of its one session for most events.
 */
export interface MunicipalEventDto {
  id: string;
  teamId: string;
  teamName: string;
  title: string;
  description: string;
  place: string;
  theme: string;
  audience: string;
  priceInfo: string;
  startsAt: string;
  endsAt: string | null;
  capacity: number;
  waitlistCapacity: number;
  maxPlacesPerRegistration: number;
  published: boolean;
  status: 'scheduled' | 'cancelled';
  /** When the event was cancelled (null: it was not). */
  cancelledAt: string | null;
  bookingOpensAt: string | null;
  bookingClosesAt: string | null;
  /** Registrations open this many days before the start (null: no lead time). */
  bookingOpensDaysBefore: number | null;
  /** Registrations close this many hours before the start (null: at the start). */
  bookingClosesHoursBefore: number | null;
  promotion: EventPromotion;
  confirmationHours: number;
  /** Citizens cancel online until this many hours before the start. */
  cancelCutoffHours: number;
  reminderMinutes: number[];
  questions: EventQuestion[];
  /** Places held by confirmed and offered registrations. */
  bookedPlaces: number;
  availablePlaces: number;
  waitlistedPlaces: number;
  createdAt: string;
  /** Its sessions, by start (cancelled ones included). */
  sessions: EventSessionDto[];
}

/** A session as citizens see it: its dates, places left, and whether it takes registrations now. */
export interface PublicSessionDto {
  id: string;
  startsAt: string;
  endsAt: string | null;
  capacity: number;
  availablePlaces: number;
  waitlistAvailable: number;
  cancelled: boolean;
  open: boolean;
}

export interface PublicEventDto {
  id: string;
  title: string;
  description: string;
  place: string;
  theme: string;
  audience: string;
  priceInfo: string;
  service: { id: string; name: string };
  startsAt: string;
  endsAt: string | null;
  cancelled: boolean;
  capacity: number;
  availablePlaces: number;
  /** Waiting-list places left (0 without a waiting list). */
  waitlistAvailable: number;
  maxPlacesPerRegistration: number;
  /** When registrations open and close: the event's dates and lead times together (the later opening, the earlier closing). */
  bookingOpensAt: string | null;
  bookingClosesAt: string | null;
  /** Citizens cancel online until this many hours before the start (0: until the start). */
  cancelCutoffHours: number;
  /** Registrations are taken now (published, not cancelled, within its window, not started). */
  open: boolean;
  questions: EventQuestion[];
  /** Its sessions not cancelled, by start (one for most events; a registration names one when there are several). */
  sessions: PublicSessionDto[];
}

export interface RegistrationDto {
  id: string;
  eventId: string;
  /** The session registered to. */
  sessionId: string;
  name: string;
  email: string | null;
  phone: string | null;
  places: number;
  answers: Record<string, string>;
  consentReminders: boolean;
  status: RegistrationStatus;
  /** Who cancelled it (null: not cancelled, or cancelled before this was recorded). */
  cancelledBy: RegistrationCanceller | null;
  /** Rank on the waiting list (1 = next), for a waitlisted registration. */
  position: number | null;
  offerExpiresAt: string | null;
  checkedInAt: string | null;
  /**
   * The citizen refused messages at this e-mail address or phone number (an SMS STOP): no notice,
   * reminder or message reaches them there.
   */
  emailOptedOut: boolean;
  phoneOptedOut: boolean;
  /** How the registrant chose to be told, when they gave both an e-mail address and a phone number. */
  channel: RegistrationChannel | null;
  contactId: string | null;
  conversationId: string | null;
  createdAt: string;
}

/** An event's places as they stand after a change of its registrations (the socket events' counters). */
export interface EventPlacesDto {
  eventId: string;
  capacity: number;
  bookedPlaces: number;
  availablePlaces: number;
  waitlistedPlaces: number;
  /** The places of the registration's session. */
  session: { id: string; capacity: number; bookedPlaces: number; availablePlaces: number; waitlistedPlaces: number };
}

/**
 * What happened to a registration, for the agents' events screens: `created` (confirmed or on the
 * waiting list), `cancelled`, `promoted` (a place offered from the waiting list), `updated` (an
 * offer confirmed or lapsed, its citizen's file opened), `checked_in` (marked present or absent
 * at the door).
 */
export type RegistrationChange = 'created' | 'cancelled' | 'promoted' | 'updated' | 'checked_in';

/**
 * What happened to an event itself, for the agents' events screens: `created` (or duplicated),
 * `updated` (any field, published or not), `cancelled`.
 */
export type MunicipalEventChange = 'created' | 'updated' | 'cancelled';

/** `POST /public/events/:id/registrations` → 201. */
export interface PublicRegistrationCreated {
  id: string;
  status: 'confirmed' | 'waitlisted';
  position?: number;
  places: number;
  /** The signed link to view or cancel (no account). */
  manageUrl: string;
  token: string;
}

/** The registration as its signed link shows it. */
export interface PublicRegistrationDto {
  id: string;
  name: string;
  places: number;
  status: RegistrationStatus;
  /** Who cancelled it (`event`: the town, with its event or session). */
  cancelledBy: RegistrationCanceller | null;
  position: number | null;
  offerExpiresAt: string | null;
  /** The event as the registration's session makes it (`cancelled`: the event or that session). */
  event: PublicEventDto;
  /** The town cancelled the registration's session, not the whole event. */
  sessionCancelled: boolean;
  /** Cancelling online is still possible (until the event's cut-off before the start). */
  cancellable: boolean;
  /** The last moment to cancel online (null for a registration already over). */
  cancelUntil: string | null;
}

/** A registration as the citizen's file shows it (`GET /contacts/:id/event-registrations`). */
export interface ContactRegistrationDto extends RegistrationDto {
  /**
   * The event as the registration's session makes it: its start, and `cancelled` (the event or
   * that session); `sessionCancelled`: the town cancelled that session, not the whole event.
   */
  event: {
    id: string;
    title: string;
    startsAt: string;
    teamId: string;
    teamName: string;
    cancelled: boolean;
    sessionCancelled: boolean;
  };
}

/** The registrants' export formats (`GET /events/:id/registrations.csv|.xlsx`). */
export const REGISTRANT_EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type RegistrantExportFormat = (typeof REGISTRANT_EXPORT_FORMATS)[number];
