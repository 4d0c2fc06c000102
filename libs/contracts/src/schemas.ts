import { z } from 'zod';
import { CHANNEL_CAPABILITIES, START_CONVERSATION_KINDS } from './channel-capabilities';
import { DEADLINE_UNITS, DECISION_REGIMES } from './deadlines';
import { AGENT_ROLES, CHANNEL_KINDS, CONVERSATION_STATUSES, IDENTITY_KINDS, PRIORITIES } from './enums';

export const LIMITS = {
  bodyChars: 20_000,
  subjectChars: 200,
  nameChars: 120,
  pageSizeMax: 100,
  attachmentBytes: 10 * 1024 * 1024,
  attachmentsPerRequest: 5,
} as const;

const uuid = z.uuid();

export const loginSchema = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(200),
});
export type LoginInput = z.infer<typeof loginSchema>;

/** An agent changes their own password (`POST /auth/password`); their other sessions end. */
export const changePasswordSchema = z.object({
  currentPassword: z.string('saisissez votre mot de passe actuel').min(1, 'saisissez votre mot de passe actuel').max(200),
  newPassword: z
    .string('saisissez le nouveau mot de passe')
    .min(10, 'le nouveau mot de passe doit contenir au moins 10 caractères')
    .max(200, 'le nouveau mot de passe doit contenir au plus 200 caractères'),
});
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

/** An admin changes an agent of their organization (`PATCH /agents/:id`). */
export const updateAgentSchema = z
  .object({
    role: z.enum(AGENT_ROLES, 'rôle inconnu : agent, supervisor ou admin').optional(),
    teamIds: z
      .array(z.uuid('identifiant de service invalide'), 'liste de services attendue')
      .max(100, '100 services au plus')
      .optional(),
    active: z.boolean('vrai ou faux attendu').optional(),
    capacity: z
      .number('nombre entier attendu')
      .int('nombre entier attendu')
      .min(0, 'au moins 0')
      .max(1000, 'au plus 1000')
      .optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateAgentInput = z.infer<typeof updateAgentSchema>;

/** A search counts its matches up to this many; beyond, the total reads « plus de 1 000 ». */
export const SEARCH_TOTAL_CAP = 1000;

export const listConversationsQuerySchema = z.object({
  /** One status, or several separated by commas (`open,pending`: "Mes conversations" in progress). */
  status: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(CONVERSATION_STATUSES)).min(1).max(CONVERSATION_STATUSES.length))
    .optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), uuid]).optional(),
  teamId: uuid.optional(),
  channel: z.enum(CHANNEL_KINDS).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  /** Files in progress whose due date has passed, or comes within 48 hours (earliest first). */
  due: z.enum(['overdue', 'soon'], 'vue inconnue : overdue ou soon').optional(),
  /** `due`: earliest due date first (files in progress with a due date only); default: latest activity first. */
  sort: z.enum(['activity', 'due'], 'tri inconnu : activity ou due').optional(),
  /** Only files carrying this label. */
  labelId: z.uuid('identifiant d’étiquette invalide').optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(25),
  cursor: z.string().max(200).optional(),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuerySchema>;

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSizeMax).default(50),
  cursor: z.string().max(200).optional(),
});

/** `GET /conversations/:id/opened`: how many of the latest messages come with the file. */
export const openedQuerySchema = pageQuerySchema.pick({ limit: true });

export const createMessageSchema = z.object({
  kind: z.enum(['reply', 'note']),
  body: z.string().trim().min(1, 'le message est vide').max(LIMITS.bodyChars),
  channelId: uuid.optional(),
  // A reply with files is sent as multipart/form-data, where every field is text.
  version: z.preprocess((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v), z.number().int().min(1)),
});
export type CreateMessageInput = z.infer<typeof createMessageSchema>;

export const updateConversationSchema = z
  .object({
    status: z.enum(CONVERSATION_STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    teamId: uuid.optional(),
    assigneeId: uuid.nullable().optional(),
    snoozedUntil: z.iso.datetime({ offset: true }).nullable().optional(),
    /** The request type (démarche); null removes it. Recomputes the due dates. */
    requestTypeId: z.uuid('identifiant de démarche invalide').nullable().optional(),
    /** L114-5: true when documents are asked of the citizen (the clock stops), false when they came (it restarts). */
    awaitingDocuments: z.boolean('vrai ou faux attendu').optional(),
    /** A note for the colleague or service the file is handed to (kept in the thread as a note). */
    note: z.string().trim().min(1).max(LIMITS.bodyChars).optional(),
    /** Every label the file carries after the change (an empty list removes them all). */
    labelIds: z.array(z.uuid('identifiant d’étiquette invalide')).max(20, 'au plus 20 étiquettes').optional(),
    version: z.number().int().min(1),
  })
  .refine((v) => Object.keys(v).filter((k) => k !== 'note').length > 1, { message: 'aucun changement demandé' })
  .refine((v) => v.note === undefined || v.teamId !== undefined || v.assigneeId !== undefined, {
    message: 'une note de transmission accompagne une assignation ou un transfert',
    path: ['note'],
  });
export type UpdateConversationInput = z.infer<typeof updateConversationSchema>;

export const addIdentitySchema = z.object({
  kind: z.enum(IDENTITY_KINDS),
  value: z.string().trim().min(1).max(254),
});
export type AddIdentityInput = z.infer<typeof addIdentitySchema>;

export const createChannelSchema = z.object({
  kind: z.enum(CHANNEL_KINDS),
  name: z.string().trim().min(1).max(LIMITS.nameChars),
  teamId: uuid,
  config: z.record(z.string(), z.unknown()).default({}),
});
export type CreateChannelInput = z.infer<typeof createChannelSchema>;

export const updateChannelSchema = z.object({
  name: z.string().trim().min(1).max(LIMITS.nameChars).optional(),
  teamId: uuid.optional(),
  enabled: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateChannelInput = z.infer<typeof updateChannelSchema>;

/**
 * `POST /channels/test`: tries an e-mail configuration before it is saved. With `channelId`, the
 * secrets left out are that channel's stored ones (the form never holds them).
 */
export const testChannelSchema = z.object({
  kind: z.literal('email', 'seuls les canaux e-mail se testent avant enregistrement'),
  config: z.record(z.string(), z.unknown()),
  channelId: uuid.optional(),
});
export type TestChannelInput = z.infer<typeof testChannelSchema>;

/** The e-mail and phone a citizen types on a public form (empty fields are absent). */
export const citizenContactFields = {
  email: z
    .string()
    .trim()
    .max(254)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  phone: z
    .string()
    .trim()
    .max(40)
    .optional()
    .or(z.literal('').transform(() => undefined)),
};

/** The citizen request form. `website` is the honeypot: humans never see nor fill it. */
export const publicRequestSchema = z
  .object({
    teamId: uuid,
    name: z.string().trim().min(1, 'le nom est obligatoire').max(LIMITS.nameChars),
    ...citizenContactFields,
    /** The démarche chosen among the service's request types (optional: « Autre demande »). */
    requestTypeId: z
      .uuid('démarche inconnue')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    subject: z.string().trim().min(1, "l'objet est obligatoire").max(LIMITS.subjectChars),
    body: z.string().trim().min(1, 'le message est vide').max(LIMITS.bodyChars),
    website: z.string().max(200).optional(),
  })
  .refine((v) => v.email || v.phone, { message: 'indiquez une adresse e-mail ou un numéro de téléphone', path: ['email'] });
export type PublicRequestInput = z.infer<typeof publicRequestSchema>;

export const publicReplySchema = z.object({
  body: z.string().trim().min(1, 'le message est vide').max(LIMITS.bodyChars),
  website: z.string().max(200).optional(),
});
export type PublicReplyInput = z.infer<typeof publicReplySchema>;

/** An agent writes first (`POST /conversations`), on a kind whose capabilities allow it. */
export const startConversationSchema = z.object({
  channelKind: z.enum(CHANNEL_KINDS).refine((kind) => CHANNEL_CAPABILITIES[kind].startConversation, {
    message: `on ne peut pas écrire en premier sur ce canal : choisissez ${START_CONVERSATION_KINDS.join(', ')}`,
  }),
  /** The citizen's e-mail address or phone number. */
  to: z.string().trim().min(3).max(254),
  name: z.string().trim().max(LIMITS.nameChars).optional(),
  /** Defaults to the agent's only service; required when they have several. */
  teamId: uuid.optional(),
  subject: z.string().trim().max(LIMITS.subjectChars).optional(),
  body: z.string().trim().min(1, 'le message est vide').max(LIMITS.bodyChars),
});
export type StartConversationInput = z.infer<typeof startConversationSchema>;

/** Turns zod issues into `field: reason` lines for a 400 answer. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

const deadlineSchema = z
  .object({
    amount: z.number('nombre entier attendu').int('nombre entier attendu').min(1, 'au moins 1').max(366, 'au plus 366'),
    unit: z.enum(DEADLINE_UNITS, 'unité inconnue : months, calendar_days ou working_days'),
  })
  .refine((d) => d.unit !== 'months' || d.amount <= 24, { message: 'au plus 24 mois', path: ['amount'] });

const requestTypeFields = {
  name: z.string('nom attendu').trim().min(1, 'le nom est obligatoire').max(200, '200 caractères au plus'),
  description: z.string('texte attendu').trim().max(2000, '2000 caractères au plus'),
  decisionRegime: z.enum(DECISION_REGIMES, 'régime inconnu : acceptance, rejection ou none'),
  deadline: deadlineSchema.nullable(),
  documents: z
    .array(z.string('texte attendu').trim().min(1, 'pièce sans nom').max(200, '200 caractères au plus'), 'liste attendue')
    .max(30, '30 pièces au plus'),
  acknowledgementExempt: z.boolean('vrai ou faux attendu'),
};

const regimeNeedsDeadline = (v: { decisionRegime?: string; deadline?: unknown }) =>
  v.decisionRegime === undefined || v.decisionRegime === 'none' || v.deadline != null;
const REGIME_NEEDS_DEADLINE = {
  message: 'une décision implicite (acceptation ou rejet) demande un délai',
  path: ['deadline'],
};

/** An admin or supervisor defines a démarche of a service (`POST /request-types`). */
export const createRequestTypeSchema = z
  .object({
    teamId: z.uuid('identifiant de service invalide'),
    ...requestTypeFields,
    description: requestTypeFields.description.default(''),
    deadline: requestTypeFields.deadline.default(null),
    documents: requestTypeFields.documents.default([]),
    acknowledgementExempt: requestTypeFields.acknowledgementExempt.default(false),
  })
  .refine(regimeNeedsDeadline, REGIME_NEEDS_DEADLINE);
export type CreateRequestTypeInput = z.infer<typeof createRequestTypeSchema>;

/** `PATCH /request-types/:id`: any field; `active: false` withdraws it from forms and lists. */
export const updateRequestTypeSchema = z
  .object({
    name: requestTypeFields.name.optional(),
    description: requestTypeFields.description.optional(),
    decisionRegime: requestTypeFields.decisionRegime.optional(),
    deadline: requestTypeFields.deadline.optional(),
    documents: requestTypeFields.documents.optional(),
    acknowledgementExempt: requestTypeFields.acknowledgementExempt.optional(),
    active: z.boolean('vrai ou faux attendu').optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateRequestTypeInput = z.infer<typeof updateRequestTypeSchema>;

export const listRequestTypesQuerySchema = z.object({
  teamId: z.uuid('identifiant de service invalide').optional(),
  /** Managers also see the withdrawn ones. */
  includeInactive: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export type ListRequestTypesQuery = z.infer<typeof listRequestTypesQuerySchema>;
