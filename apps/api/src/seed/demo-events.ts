import type { CreateEventInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { MunicipalEventRepository } from '../modules/municipal-events/municipal-event.repository';
import type { TeamSlug } from './demo-data.types';

const DAY = 24 * 3600_000;

/** Upcoming events of the demo town (issue 17), dated from the seed's `now`; the first is nearly full. */
const DEMO_EVENTS: (Omit<CreateEventInput, 'teamId' | 'startsAt' | 'endsAt'> & {
  team: TeamSlug;
  inDays: number;
  hour: number;
  hours: number;
  registered: number;
})[] = [
  {
    team: 'vie-sportive',
    title: 'Ouverture des inscriptions au stage d’été multisports',
    description: 'Présentation du stage d’été (7-12 ans), rencontre avec les éducateurs sportifs et visite du gymnase.',
    place: 'Gymnase municipal, 12 rue des Sports, 99000 Démo',
    theme: 'Sport',
    audience: 'Familles, enfants de 7 à 12 ans',
    priceInfo: 'Gratuit',
    inDays: 6,
    hour: 10,
    hours: 2,
    capacity: 40,
    waitlistCapacity: 15,
    maxPlacesPerRegistration: 4,
    published: true,
    bookingOpensAt: null,
    bookingClosesAt: null,
    bookingOpensDaysBefore: 30,
    bookingClosesHoursBefore: 2,
    promotion: 'automatic',
    confirmationHours: 48,
    cancelCutoffHours: 4,
    reminderMinutes: [2880, 120],
    questions: [{ id: 'age-enfant', label: 'Âge du ou des enfants', required: true }],
    registered: 37,
  },
  {
    team: 'vie-culturelle',
    title: 'Forum des associations',
    description: 'Plus de soixante associations de la commune présentent leurs activités : sport, culture, solidarité.',
    place: 'Salle des fêtes, place de la Mairie, 99000 Démo',
    theme: 'Vie associative',
    audience: 'Tout public',
    priceInfo: 'Entrée libre',
    inDays: 12,
    hour: 14,
    hours: 4,
    capacity: 300,
    waitlistCapacity: 0,
    maxPlacesPerRegistration: 6,
    published: true,
    bookingOpensAt: null,
    bookingClosesAt: null,
    bookingOpensDaysBefore: null,
    bookingClosesHoursBefore: null,
    promotion: 'automatic',
    confirmationHours: 48,
    cancelCutoffHours: 4,
    reminderMinutes: [2880],
    questions: [],
    registered: 42,
  },
  {
    team: 'action-sociale',
    title: 'Banquet des aînés',
    description: 'Le repas annuel offert par la commune aux habitants de 70 ans et plus, avec animation musicale.',
    place: 'Salle polyvalente, 4 avenue des Tilleuls, 99000 Démo',
    theme: 'Seniors',
    audience: 'Habitants de 70 ans et plus et leur conjoint',
    priceInfo: 'Offert par la commune',
    inDays: 20,
    hour: 12,
    hours: 4,
    capacity: 180,
    waitlistCapacity: 30,
    maxPlacesPerRegistration: 2,
    published: true,
    bookingOpensAt: null,
    bookingClosesAt: null,
    bookingOpensDaysBefore: null,
    bookingClosesHoursBefore: null,
    promotion: 'manual',
    confirmationHours: 72,
    cancelCutoffHours: 4,
    reminderMinutes: [2880, 120],
    questions: [{ id: 'regime', label: 'Régime alimentaire particulier', required: false }],
    registered: 64,
  },
  {
    team: 'services-techniques',
    title: 'Réunion publique : travaux de la rue de la République',
    description: 'Présentation du chantier de réfection de la chaussée, calendrier et plan de circulation.',
    place: 'Hôtel de ville, salle du conseil, 1 place de la Mairie, 99000 Démo',
    theme: 'Travaux',
    audience: 'Riverains et commerçants',
    priceInfo: 'Gratuit',
    inDays: 9,
    hour: 18,
    hours: 2,
    capacity: 80,
    waitlistCapacity: 0,
    maxPlacesPerRegistration: 2,
    published: true,
    bookingOpensAt: null,
    bookingClosesAt: null,
    bookingOpensDaysBefore: null,
    bookingClosesHoursBefore: null,
    promotion: 'automatic',
    confirmationHours: 48,
    cancelCutoffHours: 4,
    reminderMinutes: [120],
    questions: [],
    registered: 11,
  },
];

const FIRST = ['Camille', 'Lucas', 'Emma', 'Hugo', 'Léa', 'Nathan', 'Chloé', 'Louis', 'Manon', 'Jules', 'Sarah', 'Adam'];
const LAST = ['Martin', 'Bernard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel'];

/**
 * The demo's event of several sessions (a workshop on three afternoons): the first afternoon is
 * full with children on its waiting list, the second nearly full, the third has room — what the
 * public page, the Sessions panel and the registrants screen show a new user.
 */
const DEMO_WORKSHOP: Omit<CreateEventInput, 'teamId' | 'startsAt' | 'endsAt' | 'capacity' | 'waitlistCapacity'> & {
  team: TeamSlug;
  sessions: {
    inDays: number;
    hour: number;
    hours: number;
    capacity: number;
    waitlistCapacity: number;
    confirmed: number;
    waitlisted: number;
  }[];
} = {
  team: 'vie-culturelle',
  title: 'Ateliers théâtre des vacances (8-11 ans)',
  description:
    'Trois après-midi d’initiation au théâtre avec une comédienne de la compagnie du Grenier : jeux d’expression, ' +
    'improvisation, et une courte représentation pour les familles à la fin de chaque atelier. Inscription à la séance.',
  place: 'Médiathèque municipale, 5 rue des Arts, 99000 Démo',
  theme: 'Culture',
  audience: 'Enfants de 8 à 11 ans',
  priceInfo: '5 € par enfant et par séance, à régler sur place',
  maxPlacesPerRegistration: 2,
  published: true,
  bookingOpensAt: null,
  bookingClosesAt: null,
  bookingOpensDaysBefore: null,
  bookingClosesHoursBefore: 24,
  promotion: 'automatic',
  confirmationHours: 24,
  cancelCutoffHours: 24,
  reminderMinutes: [2880, 120],
  questions: [{ id: 'age-enfant', label: 'Âge du ou des enfants', required: true }],
  sessions: [
    { inDays: 15, hour: 14, hours: 3, capacity: 12, waitlistCapacity: 6, confirmed: 12, waitlisted: 3 },
    { inDays: 16, hour: 14, hours: 3, capacity: 12, waitlistCapacity: 6, confirmed: 10, waitlisted: 0 },
    { inDays: 17, hour: 14, hours: 3, capacity: 12, waitlistCapacity: 6, confirmed: 4, waitlisted: 0 },
  ],
};

/** The `i`-th demo registrant's name and e-mail address (distinct for distinct `i`). */
function registrant(i: number): { name: string; email: string } {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  return {
    name: `${first} ${last}`,
    email: `${first}.${last}.${i}@exemple.fr`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, ''),
  };
}

/** `day` days after `now`, at `hour` in Paris (winter time: UTC+1, as the other demo dates). */
function at(now: number, day: number, hour: number): Date {
  const d = new Date(now + day * DAY);
  d.setUTCHours(hour - 1, 0, 0, 0);
  return d;
}

/** The demo events and their registrations (one place each, e-mail only; no file written for them). */
export async function seedDemoEvents(
  m: EntityManager,
  repo: MunicipalEventRepository,
  organizationId: string,
  teamIds: Map<TeamSlug, string>,
  now: number,
): Promise<void> {
  for (const e of DEMO_EVENTS) {
    const day = at(now, e.inDays, e.hour);
    const { team, inDays, hour, hours, registered, ...fields } = e;
    void inDays;
    void hour;
    const id = await repo.insertEvent(m, organizationId, null, {
      ...fields,
      teamId: teamIds.get(team)!,
      startsAt: day.toISOString(),
      endsAt: new Date(day.getTime() + hours * 3600_000).toISOString(),
    });
    await repo.insertRegistrations(
      m,
      Array.from({ length: registered }, (_, i) => ({
        organizationId,
        eventId: id,
        // The event's one session has its id (MunicipalEventRepository.insertEvent).
        sessionId: id,
        ...registrant(i),
        phone: null,
        places: 1,
        answers: e.questions.length && e.questions[0]!.required ? { [e.questions[0]!.id!]: `${7 + (i % 6)} ans` } : {},
        consentReminders: true,
        status: 'confirmed' as const,
      })),
    );
    await repo.addPlaces(m, id, id, registered, 0);
  }
  await seedDemoWorkshop(m, repo, organizationId, teamIds, now);
}

/**
 * The workshop of three sessions: the event with its first session (insertEvent), the two others,
 * the event summed up (its capacity, which the counters' CHECK reads, becomes the sessions'), then
 * each session's registrations — confirmed first, then its waiting list in order — and counters.
 */
async function seedDemoWorkshop(
  m: EntityManager,
  repo: MunicipalEventRepository,
  organizationId: string,
  teamIds: Map<TeamSlug, string>,
  now: number,
): Promise<void> {
  const { team, sessions, ...fields } = DEMO_WORKSHOP;
  const span = (s: (typeof sessions)[number]) => {
    const start = at(now, s.inDays, s.hour);
    return { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + s.hours * 3600_000).toISOString() };
  };
  const [first, ...others] = sessions;
  const id = await repo.insertEvent(m, organizationId, null, {
    ...fields,
    teamId: teamIds.get(team)!,
    ...span(first!),
    capacity: first!.capacity,
    waitlistCapacity: first!.waitlistCapacity,
  });
  const sessionIds = [id];
  for (const s of others)
    sessionIds.push(
      await repo.insertSession(m, organizationId, id, { ...span(s), capacity: s.capacity, waitlistCapacity: s.waitlistCapacity }),
    );
  await repo.syncEvent(m, id);
  // Other children than the single-session events' registrants (e-mails distinct in the town).
  let n = 200;
  const rows = sessions.flatMap((s, k) =>
    (['confirmed', 'waitlisted'] as const).flatMap((status) =>
      Array.from({ length: status === 'confirmed' ? s.confirmed : s.waitlisted }, () => {
        const i = n++;
        return {
          organizationId,
          eventId: id,
          sessionId: sessionIds[k]!,
          ...registrant(i),
          phone: null,
          places: 1,
          answers: { 'age-enfant': `${8 + (i % 4)} ans` },
          consentReminders: true,
          status,
        };
      }),
    ),
  );
  await repo.insertRegistrations(
    m,
    rows,
    sessions.map((s, k) => ({ sessionId: sessionIds[k]!, booked: s.confirmed, waitlisted: s.waitlisted })),
  );
}
