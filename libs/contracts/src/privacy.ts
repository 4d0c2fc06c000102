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
}

/** What one retention run did (`POST /retention/run`). */
export interface RetentionRunResult {
  anonymized: number;
  deleted: number;
  contactsAnonymized: number;
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

/** `GET /audit`: filters (all optional), newest first, paged by `before` (an event id). */
export const auditQuerySchema = z.object({
  contactId: z.uuid('identifiant de citoyen invalide').optional(),
  agentId: z.uuid("identifiant d'agent invalide").optional(),
  conversationId: z.uuid('identifiant de conversation invalide').optional(),
  from: isoDate('from').optional(),
  to: isoDate('to').optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'before : identifiant d’événement invalide')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

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
