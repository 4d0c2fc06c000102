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

/** The words the agent app shares with the citizen pages (it imports these, not the pages' whole text). */
export const SHARED_TEXT = {
  fr: {
    appName: 'Guichet',
    skipToContent: 'Aller au contenu principal',
    language: { label: 'Langue', fr: 'Français', en: 'English' },
  },
  en: {
    appName: 'Guichet',
    skipToContent: 'Skip to main content',
    language: { label: 'Language', fr: 'Français', en: 'English' },
  },
} as const;

const fr = {
  ...SHARED_TEXT.fr,
  survey: {
    title: 'Votre avis sur la demande {{reference}}',
    intro: 'Votre demande {{reference}} auprès du service {{service}} a été traitée. Une question, une minute, sans compte :',
    scaleHint: '0 : pas du tout satisfait · 10 : tout à fait satisfait',
    score: 'Note de {{score}} sur 10',
    commentLabel: 'Un commentaire (facultatif)',
    commentHint: 'N’y écrivez ni votre nom ni vos coordonnées : votre avis sert à améliorer le service.',
    send: 'Envoyer mon avis',
    thanks: 'Merci, votre avis est enregistré.',
    thanksScore: 'Votre note : {{score}} sur 10.',
    alreadyAnswered: 'Vous avez déjà donné votre avis sur cette demande. Merci !',
    expired: 'Ce lien a expiré : le questionnaire n’est plus ouvert.',
    invalid: 'Ce lien n’est pas valide. Vérifiez qu’il est complet.',
    errorsTitle: 'Votre avis n’a pas été envoyé',
    scoreMissing: 'Choisissez une note de 0 à 10.',
    trackingTitle: 'Votre avis compte',
    trackingText: 'Votre demande est traitée : dites-nous en une minute si vous êtes satisfait.',
    trackingLink: 'Donner mon avis',
  },
  public: {
    footer: 'Service proposé par votre mairie avec Guichet.',
    /** The footer's mention of the town's RGAA conformity level (its accessibility statement's). */
    footerAccessibility: {
      total: 'Accessibilité : totalement conforme',
      partial: 'Accessibilité : partiellement conforme',
      none: 'Accessibilité : non conforme',
    },
    footerPrivacy: 'Données personnelles',
    footerLinks: 'Informations légales',
    formTitle: 'Écrire à {{name}}',
    formIntro: 'Posez votre question ou faites votre demande. Un agent vous répondra, par e-mail ou par SMS.',
    required: 'Les champs marqués d’un astérisque (*) sont obligatoires.',
    team: 'Service concerné',
    chooseTeam: 'Choisissez un service',
    servicesTitle: 'Les services et leurs coordonnées',
    serviceEmail: 'E-mail',
    servicePhone: 'Téléphone',
    serviceAddress: 'Adresse',
    serviceHours: 'Horaires d’ouverture',
    hoursDays: 'Du {{from}} au {{to}}',
    hoursTwoDays: '{{from}} et {{to}}',
    weekdays: {
      monday: 'lundi',
      tuesday: 'mardi',
      wednesday: 'mercredi',
      thursday: 'jeudi',
      friday: 'vendredi',
      saturday: 'samedi',
      sunday: 'dimanche',
    },
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
    doneHowTitle: 'Quand et comment vous aurez la réponse',
    doneWhen: 'Un agent vous répondra au plus tard le {{date}}.',
    doneWhenUnknown: 'Un agent vous répondra dès que possible.',
    doneAnswerOnPage: 'Sa réponse sera publiée sur votre page de suivi.',
    doneNotifyEmail: 'Vous serez prévenu par courriel à {{email}} dès qu’elle sera là.',
    doneNotifyEmailFull: 'Vous la recevrez aussi par courriel à {{email}}.',
    doneNotifySms: 'Vous serez prévenu par SMS au {{phone}} dès qu’elle sera là.',
    doneNotifyNone: 'Vous ne serez pas prévenu par courriel ni par SMS : revenez sur votre page de suivi.',
    notFoundTitle: 'Page introuvable',
    pageNotFound: 'Cette page n’existe pas. Vérifiez l’adresse.',
    orgNotFound: 'Cette mairie n’existe pas ou ne propose pas de formulaire en ligne.',
    closedTitle: 'Service en ligne fermé',
    orgClosed:
      'Cette mairie a fermé ses services en ligne sur cette plateforme (demandes, suivi, inscriptions). Pour la joindre, utilisez ses coordonnées habituelles : accueil, téléphone ou courrier.',
    trackingArchived:
      'Cette mairie a fermé ses services en ligne sur cette plateforme : vous pouvez encore lire votre demande et ses échanges, mais plus y répondre ici. Pour la joindre, utilisez ses coordonnées habituelles : accueil, téléphone ou courrier.',
    trackingLimitedTitle: 'Demande conservée sans être traitée',
    trackingLimited:
      'À votre demande, le traitement de vos données est limité (RGPD, article 18) : cette demande est conservée, mais la mairie ne la traite plus et elle ne peut plus recevoir de message. Pour une nouvelle demande, utilisez le formulaire en ligne de la mairie : elle sera traitée. Pour votre demande d’exercice de droits, écrivez sur sa propre page de suivi.',
    trackingLimitedForm: 'Faire une nouvelle demande',
    requestNotFound: 'Cette demande est introuvable. Vérifiez que le lien est complet.',
    trackingTitle: 'Suivi de la demande {{reference}}',
    noSubject: 'Votre demande',
    reference: 'Numéro de suivi',
    status: 'État',
    sentOn: 'Envoyée le',
    decision: {
      acceptance: 'Accord implicite, sans réponse, le',
      rejection: 'Refus implicite, sans réponse, le',
      none: 'Décision attendue au plus tard le',
    },
    nonWorkingDay: {
      weekend: 'La mairie est fermée ce jour-là (week-end) : la date reste celle que fixe la loi.',
      public_holiday: 'Ce jour est férié et la mairie est fermée : la date reste celle que fixe la loi.',
      closure: 'La mairie est fermée ce jour-là (fermeture exceptionnelle) : la date reste celle que fixe la loi.',
    },
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
  ...SHARED_TEXT.en,
  survey: {
    title: 'Your opinion on request {{reference}}',
    intro: 'Your request {{reference}} to the {{service}} service has been handled. One question, one minute, no account:',
    scaleHint: '0: not satisfied at all · 10: completely satisfied',
    score: 'Score {{score}} out of 10',
    commentLabel: 'A comment (optional)',
    commentHint: 'Do not write your name or contact details: your opinion helps improve the service.',
    send: 'Send my opinion',
    thanks: 'Thank you, your opinion is saved.',
    thanksScore: 'Your score: {{score}} out of 10.',
    alreadyAnswered: 'You already gave your opinion on this request. Thank you!',
    expired: 'This link has expired: the survey is closed.',
    invalid: 'This link is not valid. Check that it is complete.',
    errorsTitle: 'Your opinion was not sent',
    scoreMissing: 'Choose a score from 0 to 10.',
    trackingTitle: 'Your opinion matters',
    trackingText: 'Your request has been handled: tell us in one minute whether you are satisfied.',
    trackingLink: 'Give my opinion',
  },
  public: {
    footer: 'A service of your town hall, with Guichet.',
    footerAccessibility: {
      total: 'Accessibility: fully compliant',
      partial: 'Accessibility: partially compliant',
      none: 'Accessibility: not compliant',
    },
    footerPrivacy: 'Personal data',
    footerLinks: 'Legal information',
    formTitle: 'Write to {{name}}',
    formIntro: 'Ask your question or make your request. An agent will answer by email or text message.',
    required: 'Fields marked with an asterisk (*) are required.',
    team: 'Service',
    chooseTeam: 'Choose a service',
    servicesTitle: 'The services and how to reach them',
    serviceEmail: 'Email',
    servicePhone: 'Phone',
    serviceAddress: 'Address',
    serviceHours: 'Opening hours',
    hoursDays: '{{from}} to {{to}}',
    hoursTwoDays: '{{from}} and {{to}}',
    weekdays: {
      monday: 'Monday',
      tuesday: 'Tuesday',
      wednesday: 'Wednesday',
      thursday: 'Thursday',
      friday: 'Friday',
      saturday: 'Saturday',
      sunday: 'Sunday',
    },
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
    doneHowTitle: 'When and how you will get the answer',
    doneWhen: 'An agent will answer by {{date}} at the latest.',
    doneWhenUnknown: 'An agent will answer as soon as possible.',
    doneAnswerOnPage: 'The answer will be published on your tracking page.',
    doneNotifyEmail: 'You will be told by email at {{email}} as soon as it is there.',
    doneNotifyEmailFull: 'You will also receive it by email at {{email}}.',
    doneNotifySms: 'You will be told by text message at {{phone}} as soon as it is there.',
    doneNotifyNone: 'You will not be told by email or text message: come back to your tracking page.',
    notFoundTitle: 'Page not found',
    pageNotFound: 'This page does not exist. Check the address.',
    orgNotFound: 'This town hall does not exist or has no online form.',
    closedTitle: 'Online service closed',
    orgClosed:
      'This town hall has closed its online services on this platform (requests, tracking, registrations). To reach it, use its usual contact details: front desk, telephone or post.',
    trackingArchived:
      'This town hall has closed its online services on this platform: you can still read your request and its messages, but no longer answer here. To reach it, use its usual contact details: front desk, telephone or post.',
    trackingLimitedTitle: 'Request kept but no longer processed',
    trackingLimited:
      'At your request, the processing of your data is restricted (GDPR, article 18): this request is kept, but the town hall no longer processes it and it can no longer take messages. For a new request, use the town hall’s online form: it will be processed. For your data protection request, write on its own tracking page.',
    trackingLimitedForm: 'Make a new request',
    requestNotFound: 'This request cannot be found. Check that the link is complete.',
    trackingTitle: 'Request {{reference}}',
    noSubject: 'Your request',
    reference: 'Tracking number',
    status: 'Status',
    sentOn: 'Sent on',
    decision: {
      acceptance: 'Implicit acceptance, without an answer, on',
      rejection: 'Implicit rejection, without an answer, on',
      none: 'Decision due by',
    },
    nonWorkingDay: {
      weekend: 'The town hall is closed that day (weekend): the date stays the one the law sets.',
      public_holiday: 'That day is a public holiday and the town hall is closed: the date stays the one the law sets.',
      closure: 'The town hall is closed that day (exceptional closure): the date stays the one the law sets.',
    },
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
