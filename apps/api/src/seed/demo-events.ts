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

/** The demo events and their registrations (one place each, e-mail only; no file written for them). */
export async function seedDemoEvents(
  m: EntityManager,
  repo: MunicipalEventRepository,
  organizationId: string,
  teamIds: Map<TeamSlug, string>,
  now: number,
): Promise<void> {
  for (const e of DEMO_EVENTS) {
    const day = new Date(now + e.inDays * DAY);
    day.setUTCHours(e.hour - 1, 0, 0, 0);
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
      Array.from({ length: registered }, (_, i) => {
        const first = FIRST[i % FIRST.length]!;
        const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
        return {
          organizationId,
          eventId: id,
          // The event's one session has its id (MunicipalEventRepository.insertEvent).
          sessionId: id,
          name: `${first} ${last}`,
          email: `${first}.${last}.${i}@exemple.fr`
            .toLowerCase()
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, ''),
          phone: null,
          places: 1,
          answers: e.questions.length && e.questions[0]!.required ? { [e.questions[0]!.id!]: `${7 + (i % 6)} ans` } : {},
          consentReminders: true,
          status: 'confirmed' as const,
        };
      }),
    );
    await repo.addPlaces(m, id, id, registered, 0);
  }
}
