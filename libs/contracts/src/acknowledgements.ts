import { CHANNEL_CAPABILITIES } from './channel-capabilities';
import type { ChannelKind } from './enums';
import { civilDateAt, formatFrenchLongDate, LEGAL_TIME_ZONE, type DecisionRegime } from './deadlines';

/**
 * The acknowledgements Guichet sends by itself (CRPA L112-3, R112-5, L112-8/L112-11) and the
 * agent's identity on replies (L111-2): their text templates, variables and rendering. Pure, so
 * the API renders what it sends and the admin screen and composer preview with the same code.
 * A paper request (a letter an agent registered) gets paper texts: the saisine par voie
 * électronique (L112-8, L112-11) and its accusé d'enregistrement électronique do not apply to it.
 */

/**
 * `registration`: accusé d'enregistrement électronique, sent at once when the démarche is not
 * known yet (the R112-5 mentions depend on it). `receipt`: accusé de réception with the R112-5
 * mentions (when sent at once it is the registration too). `correction`: a new accusé de
 * réception after the démarche changed.
 */
export const ACKNOWLEDGEMENT_KINDS = ['registration', 'receipt', 'correction'] as const;
export type AcknowledgementKind = (typeof ACKNOWLEDGEMENT_KINDS)[number];

/**
 * The form of a channel's written answers: full (e-mail, the form's tracking page), short (SMS and
 * chats), none (calls, the switchboard). A paper letter's are full (its signature too); its
 * acknowledgements take the paper texts (`ackForm`).
 */
export const ACKNOWLEDGED_CHANNELS: Record<ChannelKind, 'full' | 'short' | null> = {
  email: 'full',
  webform: 'full',
  sms: 'short',
  whatsapp: 'short',
  messenger: 'short',
  instagram: 'short',
  voice: null,
  pbx: null,
  // A paper request gets a paper acknowledgement (`ackForm`: the paper texts), printed and posted by an agent.
  letter: 'full',
};

/** The variables of acknowledgement templates, with what an admin reads about each. */
export const ACK_VARIABLES = {
  commune: 'nom de la commune',
  reference: 'référence du dossier (GU-…)',
  date_reception: 'date et heure de réception',
  demarche: 'démarche',
  date_decision: 'date de la décision implicite, en toutes lettres (vide sans décision implicite)',
  decision: 'phrase sur la décision implicite (ou l’absence de décision implicite)',
  decision_courte: 'la même phrase, courte (SMS)',
  mentions: 'voies et délais de recours (silence vaut rejet) ou droit à une attestation (silence vaut acceptation)',
  pieces: 'pièces à fournir (liste)',
  service: 'nom du service',
  adresse: 'adresse postale du service',
  email: 'adresse électronique du service',
  telephone: 'téléphone du service',
  lien_suivi: 'lien de suivi de la demande',
} as const;
export type AckVariable = keyof typeof ACK_VARIABLES;

/** The form an acknowledgement takes on a channel kind: `paper` on a postal one (a printed letter). */
export type AckForm = 'full' | 'short' | 'paper';

/** The acknowledgement form of requests that came on this channel kind; null: none is written. */
export function ackForm(kind: ChannelKind): AckForm | null {
  const form = ACKNOWLEDGED_CHANNELS[kind];
  return form && CHANNEL_CAPABILITIES[kind].postal ? 'paper' : form;
}

/** The R112-5 mentions that depend on the démarche, in the receipts of every form. */
const R112_5 = ['Démarche : {{demarche}}', '', '{{decision}}', '', '{{mentions}}', '', '{{pieces}}'];

const PAPER_SERVICE = [
  'Service chargé de votre demande : {{service}}',
  'Adresse postale : {{adresse}}',
  'Téléphone : {{telephone}}',
  'Courriel : {{email}}',
  '',
  'Vous pouvez suivre votre demande en ligne : {{lien_suivi}}',
];
const PAPER_CLOSING = 'Nous vous prions d’agréer, Madame, Monsieur, l’expression de nos salutations distinguées.';

export const DEFAULT_ACK_TEMPLATES = {
  receipt: [
    'Accusé de réception de votre demande {{reference}}',
    '',
    'Bonjour,',
    '',
    '{{commune}} a bien reçu votre demande le {{date_reception}}.',
    ...R112_5,
    '',
    'Service chargé de votre demande : {{service}}',
    'Adresse postale : {{adresse}}',
    'Courriel : {{email}}',
    'Téléphone : {{telephone}}',
    '',
    'Suivre votre demande : {{lien_suivi}}',
    '',
    'Ce message vaut accusé de réception (articles L112-3, L112-11 et R112-5 du code des relations entre le public et l’administration).',
  ].join('\n'),
  registration: [
    'Accusé d’enregistrement de votre demande {{reference}}',
    '',
    'Bonjour,',
    '',
    '{{commune}} a enregistré votre demande le {{date_reception}} sous la référence {{reference}}.',
    'Le service {{service}} l’examine : un accusé de réception précisant la démarche, les délais et, le cas échéant, la date à laquelle une décision implicite interviendra vous sera adressé dans un délai de dix jours ouvrés.',
    '',
    'Suivre votre demande : {{lien_suivi}}',
    '',
    'Ce message vaut accusé d’enregistrement électronique (article L112-11 du code des relations entre le public et l’administration).',
  ].join('\n'),
  // Plain apostrophes and quotes: an SMS in the GSM alphabet holds 160 characters, 70 otherwise.
  short:
    '{{commune}} : accusé de réception de votre demande {{reference}} ({{demarche}}). {{decision_courte}} Détails : {{lien_suivi}}',
  shortRegistration: "{{commune}} : accusé d'enregistrement de votre demande {{reference}}. Suivi : {{lien_suivi}}",
  // A paper request (L112-3, R112-5): the date it came, the service and how to reach it, the date
  // silence decides and what it decides, the appeal or the attestation; nothing electronic.
  paperReceipt: [
    'Madame, Monsieur,',
    '',
    'Nous avons bien reçu le {{date_reception}} votre demande, enregistrée sous la référence {{reference}}.',
    ...R112_5,
    '',
    ...PAPER_SERVICE,
    '',
    'Le présent courrier vaut accusé de réception de votre demande (articles L112-3 et R112-5 du code des relations entre le public et l’administration).',
    '',
    PAPER_CLOSING,
  ].join('\n'),
  // A paper request whose démarche is not known yet: its receipt and the service now, the R112-5
  // mentions in the accusé de réception that follows once the démarche is set (L112-6 said).
  paperRegistration: [
    'Madame, Monsieur,',
    '',
    'Nous avons bien reçu le {{date_reception}} votre courrier, enregistré sous la référence {{reference}}. Il a été confié au service {{service}}, qui l’examine.',
    '',
    'Si votre demande appelle une décision de l’administration, ce service vous adressera un accusé de réception complet : la démarche dont elle relève, la date à laquelle, faute de réponse, elle sera réputée acceptée ou rejetée, les délais et voies de recours s’il y a lieu et les pièces éventuellement manquantes. Tant qu’il ne vous a pas été adressé, les délais de recours ne vous sont pas opposables (article L112-6 du code des relations entre le public et l’administration).',
    '',
    ...PAPER_SERVICE,
    '',
    'Le présent courrier accuse réception de votre demande (article L112-3 du code des relations entre le public et l’administration).',
    '',
    PAPER_CLOSING,
  ].join('\n'),
} as const;

export const ACK_TEMPLATE_NAMES = [
  'receipt',
  'registration',
  'short',
  'shortRegistration',
  'paperReceipt',
  'paperRegistration',
] as const;
export type AckTemplateName = (typeof ACK_TEMPLATE_NAMES)[number];

/**
 * The texts a démarche may have of its own, over the organization's: its accusés de réception
 * (the accusé d'enregistrement goes out before the démarche is known).
 */
export const REQUEST_TYPE_ACK_TEMPLATE_NAMES = ['receipt', 'short', 'paperReceipt'] as const satisfies readonly AckTemplateName[];
export type RequestTypeAckTemplateName = (typeof REQUEST_TYPE_ACK_TEMPLATE_NAMES)[number];

const VARIABLE = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** What is wrong with a template: unknown variables, braces left open. Empty when it is usable. */
export function templateProblems(template: string, allowed: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(VARIABLE)) {
    if (!Object.hasOwn(allowed, m[1]!)) problems.push(`variable inconnue : {{${m[1]}}}`);
  }
  if (/\{\{|\}\}/.test(template.replace(VARIABLE, ''))) problems.push('accolades {{ … }} mal fermées');
  return [...new Set(problems)];
}

/**
 * The template with its variables replaced. A line that held only variables that are empty is
 * dropped (a mention that does not apply leaves no blank line), and blank lines never pile up.
 */
export function renderTemplate(template: string, values: Partial<Record<string, string>>): string {
  const lines: string[] = [];
  for (const line of template.replace(/\r\n?/g, '\n').split('\n')) {
    let had = false;
    let filled = false;
    const out = line.replace(VARIABLE, (_, name: string) => {
      had = true;
      const v = values[name] ?? '';
      if (v.trim()) filled = true;
      return v;
    });
    // A mention that does not apply, or a label whose every variable is empty ("Téléphone : ").
    if (had && !filled) continue;
    lines.push(out.replace(/[ \t]+$/, ''));
  }
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface AckFacts {
  commune: string;
  reference: string;
  receivedAt: Date;
  /** Only the day is known (a letter's date stamp): the date is written without a time. */
  receivedDayOnly?: boolean;
  requestType: { name: string; documents: string[] } | null;
  decisionRegime: DecisionRegime | null;
  decisionDueAt: Date | null;
  service: { name: string; address: string; email: string; phone: string };
  trackingUrl: string;
}

/** The date of an implicit decision in French long form (« 30 janvier 2027 »), read in Paris. */
export function frenchLongDateOf(instant: Date): string {
  return formatFrenchLongDate(civilDateAt(instant, LEGAL_TIME_ZONE));
}

function receivedAtText(d: Date, dayOnly = false): string {
  if (dayOnly) return frenchLongDateOf(d);
  const time = new Intl.DateTimeFormat('fr-FR', { timeZone: LEGAL_TIME_ZONE, hour: '2-digit', minute: '2-digit' }).format(d);
  return `${frenchLongDateOf(d)} à ${time.replace(':', ' h ')}`;
}

/** The R112-5 sentences of a request's regime and date. */
export function decisionMentions(
  regime: DecisionRegime | null,
  dueAt: Date | null,
  service: string,
): { date: string; decision: string; short: string; mentions: string } {
  const date = dueAt && regime && regime !== 'none' ? frenchLongDateOf(dueAt) : '';
  if (regime === 'acceptance' && date)
    return {
      date,
      decision: `En l’absence de réponse de notre part au ${date}, votre demande sera réputée acceptée (décision implicite d’acceptation).`,
      short: `Sans réponse au ${date} : acceptation implicite.`,
      mentions:
        'Vous pourrez alors obtenir, sur simple demande, une attestation de cette décision implicite d’acceptation (article L232-3 du code des relations entre le public et l’administration).',
    };
  if (regime === 'rejection' && date)
    return {
      date,
      decision: `En l’absence de réponse de notre part au ${date}, votre demande sera réputée rejetée (décision implicite de rejet).`,
      short: `Sans réponse au ${date} : rejet implicite, recours possible.`,
      mentions:
        `Délais et voies de recours : vous pourrez contester cette décision implicite de rejet dans un délai de deux mois à compter de cette date, ` +
        `par un recours gracieux auprès du service ${service}, ou par un recours contentieux devant le tribunal administratif territorialement compétent, ` +
        'y compris par l’application Télérecours citoyens (www.telerecours.fr). Vous pourrez aussi demander, dans le délai du recours contentieux, ' +
        'la communication des motifs de cette décision (article L232-4 du code des relations entre le public et l’administration).',
    };
  return {
    date: '',
    decision: 'Cette demande ne donne pas lieu à une décision implicite.',
    short: 'Pas de décision implicite.',
    mentions: '',
  };
}

/** The values of every acknowledgement variable for one request. */
export function ackValues(f: AckFacts): Record<AckVariable, string> {
  const d = decisionMentions(f.decisionRegime, f.decisionDueAt, f.service.name);
  const documents = f.requestType?.documents ?? [];
  return {
    commune: f.commune,
    reference: f.reference,
    date_reception: receivedAtText(f.receivedAt, f.receivedDayOnly),
    demarche: f.requestType?.name ?? 'non précisée',
    date_decision: d.date,
    decision: d.decision,
    decision_courte: d.short,
    mentions: d.mentions,
    pieces: documents.length
      ? `Pièces à fournir, si elles ne sont pas jointes à votre demande (le délai court à compter de leur réception) :\n${documents.map((x) => `- ${x}`).join('\n')}`
      : '',
    service: f.service.name,
    adresse: f.service.address,
    email: f.service.email,
    telephone: f.service.phone,
    lien_suivi: f.trackingUrl,
  };
}

/**
 * The mentions every accusé de réception carries whatever its text, the organization's or a
 * démarche's (L112-3, R112-5; L112-6: without them the appeal deadlines cannot be held against the
 * citizen): the variables that write them, each with the line added at the end of a text that
 * leaves it out. The short form (SMS, chats) keeps the implicit decision and the tracking link,
 * where the exchange is read.
 */
const WRITTEN_MENTIONS: Partial<Record<AckVariable, string>>[] = [
  { date_reception: 'Demande reçue le {{date_reception}}.' },
  { decision: '{{decision}}' },
  { mentions: '{{mentions}}' },
  {
    service: 'Service chargé de votre demande : {{service}}',
    adresse: 'Adresse postale : {{adresse}}',
    email: 'Courriel : {{email}}',
    telephone: 'Téléphone : {{telephone}}',
  },
];
/** In paragraphs (a blank line between them) in the full and paper forms. */
const MANDATORY_MENTIONS: Record<AckForm, Partial<Record<AckVariable, string>>[]> = {
  full: WRITTEN_MENTIONS,
  paper: WRITTEN_MENTIONS,
  short: [{ decision_courte: '{{decision_courte}}', lien_suivi: 'Détails : {{lien_suivi}}' }],
};

const variablesOf = (template: string) => new Set([...template.matchAll(VARIABLE)].map((m) => m[1]));

/** The mandatory mentions (their variables) an accusé de réception's text leaves out: Guichet adds them. */
export function missingAckMentions(template: string, form: AckForm): AckVariable[] {
  const present = variablesOf(template);
  return MANDATORY_MENTIONS[form].flatMap((p) => Object.keys(p) as AckVariable[]).filter((v) => !present.has(v));
}

/** The receipt's text with the mandatory mentions it leaves out added at its end. */
function withMandatoryMentions(template: string, form: AckForm): string {
  const present = variablesOf(template);
  const added = MANDATORY_MENTIONS[form]
    .map((p) => Object.entries(p).flatMap(([v, line]) => (present.has(v) ? [] : [line])))
    .filter((lines) => lines.length);
  if (!added.length) return template;
  return form === 'short'
    ? `${template.trimEnd()} ${added.flat().join(' ')}`
    : `${template.trimEnd()}\n\n${added.map((lines) => lines.join('\n')).join('\n\n')}`;
}

/** Which template writes each acknowledgement in each form (a correction is a receipt, announced). */
const TEMPLATE_OF: Record<AckForm, { registration: AckTemplateName; receipt: AckTemplateName }> = {
  full: { registration: 'registration', receipt: 'receipt' },
  short: { registration: 'shortRegistration', receipt: 'short' },
  paper: { registration: 'paperRegistration', receipt: 'paperReceipt' },
};

const CORRECTION: Record<AckForm, string> = {
  full: 'Accusé de réception rectificatif : la démarche de votre demande a été modifiée. Il remplace le précédent.\n\n',
  short: 'Rectificatif : ',
  paper: 'La démarche de votre demande a été modifiée : le présent accusé de réception rectificatif remplace le précédent.\n\n',
};

/**
 * The acknowledgement of one kind for one request, in the form of its channel (`ackForm`); an
 * accusé de réception with every mandatory mention, whatever its template leaves out.
 */
export function renderAcknowledgement(
  kind: AcknowledgementKind,
  form: AckForm,
  templates: Record<AckTemplateName, string>,
  facts: AckFacts,
): string {
  const template =
    kind === 'registration'
      ? templates[TEMPLATE_OF[form].registration]
      : withMandatoryMentions(templates[TEMPLATE_OF[form].receipt], form);
  const body = renderTemplate(template, ackValues(facts));
  return kind === 'correction' ? `${CORRECTION[form]}${body}` : body;
}

export interface AcknowledgementSettingsDto {
  enabled: boolean;
  /** L111-2: replies are signed with the agent's identity. */
  signReplies: boolean;
  /** Services that turned them off are listed with `enabled: false`. */
  teams: { id: string; name: string; enabled: boolean }[];
  /** The texts in use (the default where none was saved). */
  templates: Record<AckTemplateName, string>;
  /** Which texts are the defaults. */
  defaults: Record<AckTemplateName, boolean>;
  /** The démarches that have texts of their own (by id): those texts, over the organization's. */
  requestTypeTemplates: Record<string, Partial<Record<RequestTypeAckTemplateName, string>>>;
}

/**
 * The texts a request's acknowledgements are written from: the defaults, under the organization's
 * saved ones, under its démarche's own (an empty one is the text under it).
 */
export function effectiveAckTemplates(
  saved: Partial<Record<AckTemplateName, string>> | undefined,
  ofRequestType?: Partial<Record<RequestTypeAckTemplateName, string>> | null,
): Record<AckTemplateName, string> {
  const out = { ...DEFAULT_ACK_TEMPLATES } as Record<AckTemplateName, string>;
  for (const layer of [saved, ofRequestType]) {
    for (const name of ACK_TEMPLATE_NAMES) {
      const v = (layer as Partial<Record<AckTemplateName, string>> | null | undefined)?.[name];
      if (v && v.trim()) out[name] = v;
    }
  }
  return out;
}

// ---- L111-2: the agent's identity on replies ----

export const SIGNATURE_VARIABLES = {
  agent: 'prénom et nom de l’agent',
  fonction: 'fonction de l’agent',
  service: 'nom du service',
  adresse_service: 'adresse postale du service',
  commune: 'nom de la commune',
} as const;
export type SignatureVariable = keyof typeof SIGNATURE_VARIABLES;

export const DEFAULT_SIGNATURE_TEMPLATE = '{{agent}}\n{{fonction}}\n{{service}}\n{{commune}}\n{{adresse_service}}';

export interface SignatureFacts {
  agent: { name: string; jobTitle: string; signAsService: boolean };
  service: { name: string; address: string };
  commune: string;
}

/**
 * The signature an agent's reply carries (L111-2): the organization's template for e-mail and
 * the tracking page, a one-line form for SMS and chat. An agent who signs with the service only
 * (anonymity for safety, L111-2) shows no name nor role.
 */
export function renderSignature(template: string, form: 'full' | 'short', f: SignatureFacts): string {
  const anonymous = f.agent.signAsService;
  const values: Record<SignatureVariable, string> = {
    agent: anonymous ? '' : f.agent.name.trim(),
    fonction: anonymous ? '' : f.agent.jobTitle.trim(),
    service: f.service.name,
    adresse_service: f.service.address,
    commune: f.commune,
  };
  if (form === 'short') {
    const who = anonymous ? '' : [values.agent, values.fonction].filter(Boolean).join(', ');
    // Plain hyphens: a dash outside the GSM alphabet would make the whole SMS take 70 characters a segment.
    return [who, values.service, values.commune].filter(Boolean).join(' - ');
  }
  return renderTemplate(template.trim() ? template : DEFAULT_SIGNATURE_TEMPLATE, values);
}

/** The form of the signature a channel's replies carry (none where nothing is written). */
export const SIGNATURE_FORMS: Record<ChannelKind, 'full' | 'short' | null> = ACKNOWLEDGED_CHANNELS;

/** `GET /account/signature?teamId=`: the agent's settings and the signature their replies in that service carry. */
export interface AgentSignatureDto {
  /** The organization signs replies (else the preview shows what would be added). */
  enabled: boolean;
  jobTitle: string;
  signAsService: boolean;
  /** E-mail and the tracking page. */
  full: string;
  /** SMS, WhatsApp, Messenger. */
  short: string;
  /** The organization's legal footer, ending full-form replies whether or not they are signed ('' when none). */
  legalFooter: string;
}

/** A reply's text with its signature: after the usual « -- » separator in full form, on its own line in short form. */
export function signedBody(body: string, signature: string, form: 'full' | 'short'): string {
  if (!signature) return body;
  return form === 'full' ? `${body.trimEnd()}\n\n-- \n${signature}` : `${body.trimEnd()}\n${signature}`;
}

/**
 * A full-form reply (e-mail, tracking page) closed by the organization's legal footer, when it
 * wrote one (« Mentions légales en pied de réponse »); short forms (SMS, chats) never carry it.
 */
export function withLegalFooter(body: string, footer: string): string {
  return footer.trim() ? `${body.trimEnd()}\n\n${footer.trim()}` : body;
}
