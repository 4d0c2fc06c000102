import { z } from 'zod';

/** RGPD (issue 16): retention rules, legal holds, the audit viewer and citizens' rights. */

export const RETENTION_ACTIONS = ['anonymize', 'delete'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

const text = (max: number, what: string) =>
  z.string(`${what} attendu(e)`).trim().min(1, `${what} obligatoire`).max(max, `${what} : ${max} caractères au plus`);

/**
 * One retention rule: a service (or none: the organization's default), optionally one of its
 * request types; how long after resolution, why (legal basis, purpose) and what happens then.
 */
export const retentionRuleSchema = z
  .object({
    teamId: z.uuid('identifiant de service invalide').nullable().default(null),
    requestTypeId: z.uuid('identifiant de démarche invalide').nullable().default(null),
    durationDays: z
      .number('durée en jours attendue')
      .int('durée en jours entiers')
      .min(1, 'au moins un jour')
      .max(36600, 'cent ans au plus'),
    legalBasis: text(500, 'base légale'),
    purpose: text(1000, 'finalité'),
    action: z.enum(RETENTION_ACTIONS, 'action : anonymize ou delete').default('anonymize'),
  })
  .refine((r) => r.requestTypeId === null || r.teamId !== null, {
    message: 'une règle par démarche nomme aussi son service',
    path: ['teamId'],
  });
export type RetentionRuleInput = z.infer<typeof retentionRuleSchema>;

/** `PUT /retention-rules`: the whole set of the organization, and how long the audit is kept. */
export const putRetentionRulesSchema = z.object({
  rules: z.array(retentionRuleSchema, 'liste de règles attendue').max(500, '500 règles au plus'),
  auditRetentionMonths: z
    .number('durée en mois attendue')
    .int('durée en mois entiers')
    .min(1, 'au moins un mois')
    .max(120, 'dix ans au plus')
    .optional(),
  /** Days after a municipal event ends before its registrants are anonymized (90 by default). */
  eventRegistrationRetentionDays: z
    .number('durée en jours attendue')
    .int('durée en jours entiers')
    .min(1, 'au moins un jour')
    .max(3650, 'dix ans au plus')
    .optional(),
});
export type PutRetentionRulesInput = z.infer<typeof putRetentionRulesSchema>;

export interface RetentionRuleDto {
  id: string;
  teamId: string | null;
  teamName: string | null;
  requestTypeId: string | null;
  requestTypeName: string | null;
  durationDays: number;
  legalBasis: string;
  purpose: string;
  action: RetentionAction;
  updatedAt: string;
}

export interface RetentionSettingsDto {
  rules: RetentionRuleDto[];
  auditRetentionMonths: number;
  eventRegistrationRetentionDays: number;
}

/** How long registrants of a municipal event are kept after it ends, unless the organization says otherwise. */
export const DEFAULT_EVENT_REGISTRATION_RETENTION_DAYS = 90;

/** What one retention run did (`POST /retention/run`). */
export interface RetentionRunResult {
  anonymized: number;
  deleted: number;
  contactsAnonymized: number;
  /** Registrants of past municipal events anonymized (issue 17's registrations). */
  registrationsAnonymized: number;
  auditEventsPurged: number;
}

/** `PUT /conversations/:id/legal-hold`: a supervisor keeps a file out of retention, with the reason. */
export const legalHoldSchema = z.object({ reason: text(500, 'motif') });
export type LegalHoldInput = z.infer<typeof legalHoldSchema>;

export interface LegalHoldDto {
  conversationId: string;
  reason: string | null;
  at: string | null;
  byAgentId: string | null;
}

const isoDate = (what: string) =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), `${what} : date invalide (AAAA-MM-JJ ou ISO 8601)`)
    .transform((s) => new Date(s));

/**
 * The audit viewer's filters (all optional): a citizen, an agent, a service (the events about its
 * conversations, and about the citizens who have one there), a conversation, a period `[from, to)`.
 */
export const auditFilterSchema = z.object({
  contactId: z.uuid('identifiant de citoyen invalide').optional(),
  agentId: z.uuid("identifiant d'agent invalide").optional(),
  teamId: z.uuid('identifiant de service invalide').optional(),
  conversationId: z.uuid('identifiant de conversation invalide').optional(),
  from: isoDate('from').optional(),
  to: isoDate('to').optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** `GET /audit`: the filters, newest first, paged by `before` (an event id: keyset). */
export const auditQuerySchema = auditFilterSchema.extend({
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'before : identifiant d’événement invalide')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/**
 * `GET /audit/export`: every event the filters keep, newest first, as CSV (semicolons, UTF-8 with
 * BOM) for the data protection officer; the export itself is audited.
 */
export const AUDIT_CSV_HEADER = [
  'Numéro',
  'Date (heure de Paris)',
  'Date (UTC, ISO 8601)',
  'Agent',
  'Identifiant agent',
  'Action (code)',
  'Demande',
  'Identifiant demande',
  'Identifiant usager',
  'Détails',
] as const;

export interface AuditEventDto {
  id: string;
  at: string;
  action: string;
  agent: { id: string; name: string } | null;
  conversationId: string | null;
  conversationReference: string | null;
  contactId: string | null;
  data: Record<string, unknown> | null;
}

export interface AuditPageDto {
  items: AuditEventDto[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next: string | null;
}

/** A conversation an erasure kept, and why (a legal hold). */
export interface KeptConversationDto {
  conversationId: string;
  reference: string;
  reason: string;
}

/** `POST /contacts/:id/anonymize`. */
export interface ContactErasureDto {
  conversationsAnonymized: number;
  contactAnonymized: boolean;
  kept: KeptConversationDto[];
}

/** Contact merge (issue 16): an agent proposes, a supervisor confirms, undone within 30 days. */
export const CONTACT_MERGE_STATUSES = ['proposed', 'rejected', 'merged', 'undone'] as const;
export type ContactMergeStatus = (typeof CONTACT_MERGE_STATUSES)[number];
/** How long a confirmed merge can be undone. */
export const CONTACT_MERGE_UNDO_DAYS = 30;

/**
 * `POST /contacts/:id/merges`: the file `:id` is kept and absorbs the other one, named by its id or
 * by one of its identities (an e-mail address, a phone number) as the agent knows it.
 */
export const proposeContactMergeSchema = z
  .object({
    otherContactId: z.uuid('identifiant de citoyen invalide').optional(),
    otherIdentity: z
      .object({
        kind: z.enum(['email', 'phone', 'whatsapp', 'messenger', 'instagram'], 'type de coordonnée inconnu'),
        value: z.string('coordonnée attendue').trim().min(1, 'coordonnée obligatoire').max(254, 'coordonnée trop longue'),
      })
      .optional(),
    reason: text(500, 'motif'),
  })
  .refine((v) => (v.otherContactId === undefined) !== (v.otherIdentity === undefined), {
    message: 'nommer l’autre dossier par son identifiant ou par une de ses coordonnées (l’un des deux)',
    path: ['otherContactId'],
  });
export type ProposeContactMergeInput = z.infer<typeof proposeContactMergeSchema>;

export interface ContactMergeSideDto {
  id: string;
  name: string | null;
}

export interface ContactMergeDto {
  id: string;
  status: ContactMergeStatus;
  /** The file kept. */
  target: ContactMergeSideDto;
  /** The file absorbed (its identities and conversations move to the target). */
  source: ContactMergeSideDto;
  reason: string;
  proposedBy: { id: string; name: string } | null;
  proposedAt: string;
  decidedBy: { id: string; name: string } | null;
  decidedAt: string | null;
  undoneAt: string | null;
  /** Until when a confirmed merge can be undone (null otherwise). */
  undoUntil: string | null;
  movedIdentities: number;
  movedConversations: number;
  /** Identities the confirmation removed from the merged file (they come back with an undo). */
  droppedIdentities: number;
}

/**
 * `POST /contact-merges/:id/confirm` (body optional): the name the kept file bears (its own or
 * the absorbed file's) and the identities it keeps, of either file (all when absent); those left
 * out are removed from the merged file (an obsolete address) and come back with an undo.
 */
export const confirmContactMergeSchema = z
  .object({
    name: z.enum(['target', 'source'], 'nom gardé : target ou source').optional(),
    keepIdentityIds: z.array(z.uuid('identifiant de coordonnée invalide'), 'liste de coordonnées attendue').max(200).optional(),
  })
  .default({});
export type ConfirmContactMergeInput = z.infer<typeof confirmContactMergeSchema>;

/** One file of a merge as the supervisor compares it: name, identities, conversations, registrations. */
export interface ContactMergeFileDto {
  id: string;
  name: string | null;
  identities: { id: string; kind: string; value: string }[];
  conversations: { id: string; reference: string; subject: string | null; status: string; team: string; createdAt: string }[];
  registrations: { id: string; event: string; startsAt: string; status: string; places: number }[];
}

/** `GET /contact-merges/:id/files`: both files side by side (supervisors, admins). */
export interface ContactMergeFilesDto {
  merge: ContactMergeDto;
  target: ContactMergeFileDto;
  source: ContactMergeFileDto;
}

/** `GET /contact-merges?status=`: the merges of the organization by status (supervisors, admins). */
export const contactMergeQuerySchema = z.object({
  status: z.enum(CONTACT_MERGE_STATUSES, 'statut : proposed, rejected, merged ou undone').optional(),
});
export type ContactMergeQuery = z.infer<typeof contactMergeQuerySchema>;

/** Rights requests (RGPD art. 15–21): a conversation type of its own. */
export const RIGHTS_REQUEST_KINDS = ['access', 'rectification', 'erasure', 'objection', 'limitation'] as const;
export type RightsRequestKind = (typeof RIGHTS_REQUEST_KINDS)[number];

/** `PUT /conversations/:id/rights-request`: this conversation is a rights request of this kind. */
export const setRightsRequestSchema = z.object({
  kind: z.enum(RIGHTS_REQUEST_KINDS, 'type de demande : access, rectification, erasure, objection ou limitation'),
});
export type SetRightsRequestInput = z.infer<typeof setRightsRequestSchema>;

/** `POST /conversations/:id/rights-request/extend`: two more months (art. 12.3), the citizen told why. */
export const extendRightsRequestSchema = z.object({ reason: text(1000, 'motif de la prolongation') });
export type ExtendRightsRequestInput = z.infer<typeof extendRightsRequestSchema>;

export interface RightsRequestDto {
  conversationId: string;
  kind: RightsRequestKind;
  receivedAt: string;
  /** One month after receipt; three once extended. */
  dueAt: string;
  extendedAt: string | null;
  extensionReason: string | null;
}

/** `GET /conversations/:id/privacy`: what the conversation screen shows of RGPD for one file. */
export interface ConversationPrivacyDto {
  rightsRequest: RightsRequestDto | null;
  legalHold: { reason: string; at: string; by: { id: string; name: string } | null } | null;
  anonymized: boolean;
}

/** `PATCH /contacts/:id`: rectification of the citizen's name (art. 16), audited. */
export const rectifyContactSchema = z.object({
  name: z.string('nom attendu').trim().min(1, 'nom obligatoire').max(200, 'nom : 200 caractères au plus'),
});
export type RectifyContactInput = z.infer<typeof rectifyContactSchema>;

/** `GET /processing-register?format=`: the register of processing activities as a page or a spreadsheet. */
export const processingRegisterQuerySchema = z.object({
  format: z.enum(['html', 'csv'], 'format : html ou csv').default('html'),
});
export type ProcessingRegisterQuery = z.infer<typeof processingRegisterQuerySchema>;
