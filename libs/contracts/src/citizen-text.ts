/**
 * The words of the citizen pages (request form, tracking page), French first and English mirrored,
 * in i18next's format (`{{name}}` placeholders, `_one`/`_other` plurals). The API renders these pages
 * on the server; the agent app takes the words both share (brand, skip link, language names) from
 * here, so each string has one source.
 */

export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Intl locale per UI language; times are always shown in the town hall's time zone. */
export const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Paris';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

const dateTimeFormats = new Map<Language, Intl.DateTimeFormat>();

/** "12 mars 2026 à 14:05" — full date and time in Paris time. */
export function formatDateTime(iso: string, language: Language): string {
  let format = dateTimeFormats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[language], { timeZone: TIME_ZONE, dateStyle: 'long', timeStyle: 'short' });
    dateTimeFormats.set(language, format);
  }
  return format.format(new Date(iso));
}

const fr = {
  appName: 'Guichet',
  skipToContent: 'Aller au contenu principal',
  language: {
    label: 'Langue',
    fr: 'Français',
    en: 'English',
  },
  public: {
    footer: 'Service proposé par votre mairie avec Guichet.',
    footerAccessibility: 'Accessibilité : non conforme',
    footerPrivacy: 'Données personnelles',
    footerLinks: 'Informations légales',
    formTitle: 'Écrire à {{name}}',
    formIntro: 'Posez votre question ou faites votre demande. Un agent vous répondra, par e-mail ou par SMS.',
    required: 'Les champs marqués d’un astérisque (*) sont obligatoires.',
    team: 'Service concerné',
    chooseTeam: 'Choisissez un service',
    requestType: 'Votre démarche',
    requestTypeHint: 'Les démarches proposées sont celles du service choisi.',
    otherRequest: 'Autre demande',
    name: 'Vos nom et prénom',
    contactLegend: 'Comment vous répondre ? (au moins un des deux)',
    email: 'Adresse e-mail',
    phone: 'Numéro de téléphone',
    subject: 'Objet de votre demande',
    body: 'Votre message',
    attachments: 'Pièces jointes (facultatif)',
    attachmentsHint_one: 'Jusqu’à {{count}} fichier de 10 Mo maximum.',
    attachmentsHint_other: 'Jusqu’à {{count}} fichiers de 10 Mo maximum chacun.',
    send: 'Envoyer ma demande',
    sending: 'Envoi en cours…',
    doneTitle: 'Votre demande est bien envoyée',
    doneReference: 'Voici son numéro de suivi :',
    doneTracking: 'Vous pouvez suivre votre demande et répondre à la mairie sur cette page :',
    trackingLink: 'Suivre ma demande',
    doneKeep: 'Gardez ce lien : il est personnel et vous permet de revenir à tout moment.',
    notFoundTitle: 'Page introuvable',
    pageNotFound: 'Cette page n’existe pas. Vérifiez l’adresse.',
    orgNotFound: 'Cette mairie n’existe pas ou ne propose pas de formulaire en ligne.',
    requestNotFound: 'Cette demande est introuvable. Vérifiez que le lien est complet.',
    trackingTitle: 'Suivi de la demande {{reference}}',
    noSubject: 'Votre demande',
    reference: 'Numéro de suivi',
    status: 'État',
    sentOn: 'Envoyée le',
    exchanges: 'Échanges',
    you: 'Vous',
    townHall: 'La mairie',
    attachment: 'Pièce jointe',
    closed: 'Cette demande est close. Pour une nouvelle question, faites une nouvelle demande.',
    replyLabel: 'Répondre à la mairie',
    sendReply: 'Envoyer ma réponse',
    replySent: 'Votre réponse est envoyée.',
    statuses: {
      open: 'En cours de traitement',
      pending: 'En attente de votre réponse',
      snoozed: 'En cours de traitement',
      resolved: 'Traitée',
      closed: 'Close',
    },
    errors: {
      summary_one: 'Le formulaire contient {{count}} erreur :',
      summary_other: 'Le formulaire contient {{count}} erreurs :',
      team: 'Choisissez le service concerné.',
      requestType: 'Choisissez une démarche du service concerné, ou « Autre demande ».',
      name: 'Indiquez vos nom et prénom.',
      contact: 'Indiquez une adresse e-mail ou un numéro de téléphone.',
      subject: "Indiquez l'objet de votre demande.",
      body: 'Écrivez votre message.',
      tooManyFiles_one: 'Joignez au plus {{count}} fichier.',
      tooManyFiles_other: 'Joignez au plus {{count}} fichiers.',
      fileTooBig: 'Un fichier dépasse 10 Mo.',
      reselectFiles: 'Vos pièces jointes n’ont pas été enregistrées : choisissez-les à nouveau.',
      tooMany: 'Trop de demandes envoyées depuis cette connexion. Réessayez dans une heure.',
      generic: 'Une erreur est survenue. Réessayez dans un instant.',
    },
  },
} as const;

type Widen<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };

/** The shape every language must have: the French keys, any string values. */
export type CitizenText = Widen<typeof fr>;

const en: CitizenText = {
  appName: 'Guichet',
  skipToContent: 'Skip to main content',
  language: {
    label: 'Language',
    fr: 'Français',
    en: 'English',
  },
  public: {
    footer: 'A service of your town hall, with Guichet.',
    footerAccessibility: 'Accessibility: not compliant',
    footerPrivacy: 'Personal data',
    footerLinks: 'Legal information',
    formTitle: 'Write to {{name}}',
    formIntro: 'Ask your question or make your request. An agent will answer by email or text message.',
    required: 'Fields marked with an asterisk (*) are required.',
    team: 'Service',
    chooseTeam: 'Choose a service',
    requestType: 'Your request',
    requestTypeHint: 'The requests offered are those of the chosen service.',
    otherRequest: 'Other request',
    name: 'Your full name',
    contactLegend: 'How should we answer? (at least one)',
    email: 'Email address',
    phone: 'Phone number',
    subject: 'Subject of your request',
    body: 'Your message',
    attachments: 'Attachments (optional)',
    attachmentsHint_one: 'Up to {{count}} file of 10 MB.',
    attachmentsHint_other: 'Up to {{count}} files of 10 MB each.',
    send: 'Send my request',
    sending: 'Sending…',
    doneTitle: 'Your request was sent',
    doneReference: 'Its tracking number:',
    doneTracking: 'Follow your request and answer the town hall on this page:',
    trackingLink: 'Track my request',
    doneKeep: 'Keep this link: it is personal and lets you come back at any time.',
    notFoundTitle: 'Page not found',
    pageNotFound: 'This page does not exist. Check the address.',
    orgNotFound: 'This town hall does not exist or has no online form.',
    requestNotFound: 'This request cannot be found. Check that the link is complete.',
    trackingTitle: 'Request {{reference}}',
    noSubject: 'Your request',
    reference: 'Tracking number',
    status: 'Status',
    sentOn: 'Sent on',
    exchanges: 'Messages',
    you: 'You',
    townHall: 'The town hall',
    attachment: 'Attachment',
    closed: 'This request is closed. For a new question, make a new request.',
    replyLabel: 'Answer the town hall',
    sendReply: 'Send my answer',
    replySent: 'Your answer was sent.',
    statuses: {
      open: 'Being handled',
      pending: 'Waiting for your answer',
      snoozed: 'Being handled',
      resolved: 'Handled',
      closed: 'Closed',
    },
    errors: {
      summary_one: 'The form has {{count}} error:',
      summary_other: 'The form has {{count}} errors:',
      team: 'Choose the service.',
      requestType: 'Choose a request of the chosen service, or “Other request”.',
      name: 'Enter your full name.',
      contact: 'Enter an email address or a phone number.',
      subject: 'Enter the subject of your request.',
      body: 'Write your message.',
      tooManyFiles_one: 'Attach at most {{count}} file.',
      tooManyFiles_other: 'Attach at most {{count}} files.',
      fileTooBig: 'A file is larger than 10 MB.',
      reselectFiles: 'Your attachments were not saved: choose them again.',
      tooMany: 'Too many requests from this connection. Try again in an hour.',
      generic: 'Something went wrong. Try again in a moment.',
    },
  },
};

export const CITIZEN_TEXT: Record<Language, CitizenText> = { fr, en };

/** `{{name}}` placeholders filled from `vars` (unknown ones are left as they are). */
export function fillText(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The `_one` or `_other` form for `count` by the language's plural rules, with `{{count}}` filled. */
export function pluralText(language: Language, count: number, one: string, other: string): string {
  return fillText(new Intl.PluralRules(LOCALES[language]).select(count) === 'one' ? one : other, { count });
}
