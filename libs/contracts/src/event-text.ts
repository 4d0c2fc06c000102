import { LOCALES, TIME_ZONE, type Language } from './citizen-text';

/** The words of the citizen event pages (/evenements/…), French first. */
const fr = {
  listTitle: 'Événements de {{name}}',
  listIntro: 'Ateliers, rencontres, manifestations : inscrivez-vous en ligne, sans compte.',
  filters: 'Filtrer les événements',
  service: 'Service',
  allServices: 'Tous les services',
  theme: 'Thème',
  allThemes: 'Tous les thèmes',
  from: 'À partir du',
  to: 'Jusqu’au',
  filter: 'Filtrer',
  none: 'Aucun événement à venir ne correspond.',
  when: 'Date',
  where: 'Lieu',
  audience: 'Public',
  price: 'Tarif',
  placesLeft: 'Places restantes',
  full: 'Complet',
  waitlistOpen: 'Complet – liste d’attente',
  cancelled: 'Annulé',
  closed: 'Inscriptions closes',
  register: 'S’inscrire',
  details: 'Voir l’événement',
  back: 'Tous les événements',
  formTitle: 'Inscription',
  name: 'Nom et prénom',
  email: 'Adresse e-mail',
  phone: 'Téléphone portable',
  contactLegend: 'Pour vous confirmer l’inscription et vous la rappeler (l’un des deux au moins)',
  places: 'Nombre de places',
  placesHint: '{{max}} au plus',
  consent: 'Je souhaite recevoir un rappel avant l’événement',
  required: 'Les champs marqués d’un astérisque (*) sont obligatoires.',
  submit: 'Confirmer l’inscription',
  doneConfirmed: 'Votre inscription est confirmée',
  doneWaitlisted: 'Vous êtes sur la liste d’attente',
  position: 'Votre position : {{n}}',
  keepLink: 'Gardez ce lien : il permet de voir ou d’annuler votre inscription.',
  manage: 'Voir ou annuler mon inscription',
  registrationTitle: 'Votre inscription',
  status: {
    confirmed: 'Inscription confirmée',
    waitlisted: 'Sur la liste d’attente',
    offered: 'Une place vous est proposée',
    cancelled: 'Inscription annulée',
    expired: 'Inscription expirée',
  },
  offerUntil: 'Confirmez-la avant le {{date}}.',
  confirmPlace: 'Confirmer ma place',
  cancel: 'Annuler mon inscription',
  cancelHint: 'L’annulation libère votre place pour une autre personne.',
  errorsTitle: 'L’inscription n’a pas pu être enregistrée :',
  notFound: 'Cet événement n’existe pas ou n’est plus publié.',
  registrationNotFound: 'Ce lien d’inscription n’est pas valide.',
  tooMany: 'Trop d’envois depuis cette connexion : réessayez dans une heure.',
  service_: 'Organisé par',
  description: 'Présentation',
  placesLeft_one: '{{n}} place restante sur {{capacity}}',
  placesLeft_other: '{{n}} places restantes sur {{capacity}}',
  fullWaitlistNotice:
    'L’événement est complet : en vous inscrivant, vous serez placé(e) sur la liste d’attente et prévenu(e) si une place se libère.',
  opensOn: 'Les inscriptions ouvrent le {{date}}.',
  closesOn: 'Inscriptions jusqu’au {{date}}.',
  closedSince: 'Les inscriptions sont closes depuis le {{date}}.',
  cancelPolicy: 'Annulation en ligne possible jusqu’à {{hours}} h avant le début.',
  cancelPolicyStart: 'Annulation en ligne possible jusqu’au début de l’événement.',
  questionsLegend: 'Questions de l’organisateur',
  consentHint: 'Par SMS ou e-mail, selon les coordonnées indiquées. Vous pouvez vous désinscrire à tout moment.',
  sending: 'Envoi en cours…',
  summary_one: 'Une erreur empêche l’inscription :',
  summary_other: '{{count}} erreurs empêchent l’inscription :',
  errors: {
    name: 'Indiquez votre nom.',
    contact: 'Indiquez une adresse e-mail ou un numéro de téléphone.',
    places: 'Indiquez un nombre de places entre 1 et {{max}}.',
    answer: 'Répondez à la question « {{label}} ».',
  },
  refusedTitle: 'Inscription impossible',
  event: 'Événement',
  placesBooked: 'Places',
  waitPosition: 'Position sur la liste d’attente',
  cancelUntil: 'Annulation en ligne possible jusqu’au {{date}}.',
  cancelClosed: 'L’annulation en ligne n’est plus possible : contactez le service {{service}}.',
  cancelledNotice: 'Votre inscription est annulée. Merci de nous avoir prévenus.',
  confirmedNotice: 'Votre place est confirmée. À bientôt !',
  eventCancelled: 'Cet événement est annulé.',
  promotedHint:
    'Une place s’est libérée : elle vous est réservée jusqu’au {{date}}. Sans confirmation, elle sera proposée à la personne suivante.',
  offerLapsed: 'Le délai pour confirmer cette place est passé.',
  cancelConfirm: 'Annuler définitivement mon inscription',
  cancelAsk: 'Voulez-vous vraiment annuler votre inscription ? Votre place sera proposée à quelqu’un d’autre.',
  keep: 'Garder mon inscription',
  count_one: '{{count}} événement à venir',
  count_other: '{{count}} événements à venir',
};

export type EventText = typeof fr;

const en: EventText = {
  listTitle: 'Events of {{name}}',
  listIntro: 'Workshops, meetings, festivals: register online, no account needed.',
  filters: 'Filter events',
  service: 'Department',
  allServices: 'All departments',
  theme: 'Theme',
  allThemes: 'All themes',
  from: 'From',
  to: 'Until',
  filter: 'Filter',
  none: 'No upcoming event matches.',
  when: 'Date',
  where: 'Place',
  audience: 'Audience',
  price: 'Price',
  placesLeft: 'Places left',
  full: 'Full',
  waitlistOpen: 'Full – waiting list',
  cancelled: 'Cancelled',
  closed: 'Registration closed',
  register: 'Register',
  details: 'See the event',
  back: 'All events',
  formTitle: 'Registration',
  name: 'Full name',
  email: 'E-mail address',
  phone: 'Mobile phone',
  contactLegend: 'To confirm your registration and remind you (at least one)',
  places: 'Number of places',
  placesHint: '{{max}} at most',
  consent: 'I would like a reminder before the event',
  required: 'Fields marked with an asterisk (*) are required.',
  submit: 'Confirm registration',
  doneConfirmed: 'Your registration is confirmed',
  doneWaitlisted: 'You are on the waiting list',
  position: 'Your position: {{n}}',
  keepLink: 'Keep this link: it lets you view or cancel your registration.',
  manage: 'View or cancel my registration',
  registrationTitle: 'Your registration',
  status: {
    confirmed: 'Registration confirmed',
    waitlisted: 'On the waiting list',
    offered: 'A place is offered to you',
    cancelled: 'Registration cancelled',
    expired: 'Registration expired',
  },
  offerUntil: 'Confirm it before {{date}}.',
  confirmPlace: 'Confirm my place',
  cancel: 'Cancel my registration',
  cancelHint: 'Cancelling frees your place for someone else.',
  errorsTitle: 'The registration could not be saved:',
  notFound: 'This event does not exist or is no longer published.',
  registrationNotFound: 'This registration link is not valid.',
  tooMany: 'Too many submissions from this connection: try again in an hour.',
  service_: 'Organised by',
  description: 'About',
  placesLeft_one: '{{n}} place left out of {{capacity}}',
  placesLeft_other: '{{n}} places left out of {{capacity}}',
  fullWaitlistNotice: 'The event is full: if you register, you will be on the waiting list and told if a place becomes free.',
  opensOn: 'Registration opens on {{date}}.',
  closesOn: 'Registration until {{date}}.',
  closedSince: 'Registration closed on {{date}}.',
  cancelPolicy: 'You can cancel online until {{hours}} h before the start.',
  cancelPolicyStart: 'You can cancel online until the event starts.',
  questionsLegend: 'Questions from the organiser',
  consentHint: 'By text message or e-mail, depending on the details given. You can opt out at any time.',
  sending: 'Sending…',
  summary_one: 'One error prevents the registration:',
  summary_other: '{{count}} errors prevent the registration:',
  errors: {
    name: 'Enter your name.',
    contact: 'Enter an e-mail address or a phone number.',
    places: 'Enter a number of places between 1 and {{max}}.',
    answer: 'Answer the question “{{label}}”.',
  },
  refusedTitle: 'Registration not possible',
  event: 'Event',
  placesBooked: 'Places',
  waitPosition: 'Position on the waiting list',
  cancelUntil: 'You can cancel online until {{date}}.',
  cancelClosed: 'Cancelling online is no longer possible: contact the {{service}} department.',
  cancelledNotice: 'Your registration is cancelled. Thank you for letting us know.',
  confirmedNotice: 'Your place is confirmed. See you soon!',
  eventCancelled: 'This event is cancelled.',
  promotedHint: 'A place became free: it is held for you until {{date}}. Without confirmation, it goes to the next person.',
  offerLapsed: 'The time to confirm this place has passed.',
  cancelConfirm: 'Cancel my registration for good',
  cancelAsk: 'Do you really want to cancel your registration? Your place will be offered to someone else.',
  keep: 'Keep my registration',
  count_one: '{{count}} upcoming event',
  count_other: '{{count}} upcoming events',
};

const whenFormats = new Map<string, Intl.DateTimeFormat>();
function whenFormat(language: Language, kind: 'day' | 'time' | 'full'): Intl.DateTimeFormat {
  const key = `${language}:${kind}`;
  let f = whenFormats.get(key);
  if (!f) {
    const locale = LOCALES[language];
    f = new Intl.DateTimeFormat(
      locale,
      kind === 'day'
        ? { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
        : kind === 'time'
          ? { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit' }
          : { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' },
    );
    whenFormats.set(key, f);
  }
  return f;
}

/** « samedi 6 juin 2026, 10:00 – 12:00 » (Paris time); an event over several days shows both ends in full. */
export function eventWhen(startsAt: string, endsAt: string | null, language: Language): string {
  const start = new Date(startsAt);
  const day = whenFormat(language, 'day').format(start);
  const time = whenFormat(language, 'time');
  if (!endsAt) return `${day}, ${time.format(start)}`;
  const end = new Date(endsAt);
  if (whenFormat(language, 'day').format(end) === day) return `${day}, ${time.format(start)} – ${time.format(end)}`;
  return `${day}, ${time.format(start)} – ${whenFormat(language, 'full').format(end)}`;
}

export const EVENT_TEXT: Record<Language, EventText> = { fr, en };
