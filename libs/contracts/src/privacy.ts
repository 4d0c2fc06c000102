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
  /**
   * Days a mail the import could not read stays in a mailbox's quarantine (its raw source, for an
   * admin's retry) before the retention run removes it (30 by default).
   */
  quarantineRetentionDays: z
    .number('durée en jours attendue')
    .int('durée en jours entiers')
    .min(1, 'au moins un jour')
    .max(365, 'un an au plus')
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
  quarantineRetentionDays: number;
}

/** How long a mailbox's quarantine keeps a mail it could not read, unless the organization says otherwise. */
export const DEFAULT_QUARANTINE_RETENTION_DAYS = 30;

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
  /** Quarantined mails (raw sources) older than the organization's period, removed. */
  quarantinedMailsPurged: number;
  /** Delivery reports about nothing Guichet sent (raw sources) older than the same period, removed. */
  mailReportsPurged: number;
  /** Finished domain-event jobs (the events they delivered, texts included) about anonymized or deleted files, removed. */
  deliveredEventsPurged: number;
}

/**
 * The `data` of an `audit.purged` event: what one retention run removed or anonymized in one
 * organization, by rule (null: a conversation no rule names, never the case today), and the run's
 * id, which the run's per-conversation events carry too.
 */
export interface RetentionPurgeSummary {
  runId: string;
  rules: { ruleId: string | null; anonymized: number; deleted: number }[];
  conversationsAnonymized: number;
  conversationsDeleted: number;
  contactsAnonymized: number;
  auditEventsPurged: number;
  quarantinedMailsPurged: number;
  mailReportsPurged: number;
  /** Transactions of the run that touched this organization's conversations. */
  batches: number;
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
  'Adresse IP',
  'Session',
] as const;

/** Every action the audit log records (`audit_event.action`); the web app names each in French. */
export const AUDIT_ACTIONS = [
  'conversation.viewed',
  'conversation.messages_read',
  'conversations.searched',
  'attachment.downloaded',
  'conversation.updated',
  'conversation.replied',
  'conversation.noted',
  'conversation.call_logged',
  'conversation.letter_registered',
  'conversation.letter_posted',
  'contact.viewed',
  'contact.identity_added',
  'contact.identity_removed',
  'channel.created',
  'channel.updated',
  'channel.quarantine_retried',
  'channel.quarantine_discarded',
  'channel.quarantine_downloaded',
  'agent.updated',
  'agent.password_changed',
  'agent.signed_in',
  'agent.sign_in_failed',
  'agent.created_at_sign_in',
  'session.revoked',
  'oidc_provider.created',
  'oidc_provider.updated',
  'oidc_provider.deleted',
  'agent.created',
  'agent.invitation_sent',
  'agent.password_reset_sent',
  'agent.password_set',
  'agent.renamed',
  'agent.digest_updated',
  'organization.created',
  'organization.logo_updated',
  'platform.organization_created',
  'agent.platform_admin_granted',
  'agent.platform_admin_revoked',
  'organization.updated',
  'organization.archived',
  'organization.unarchived',
  'organization.mail_updated',
  'organization.accessibility_updated',
  'team.created',
  'team.updated',
  'request_type.created',
  'request_type.updated',
  'municipal_event.created',
  'municipal_event.updated',
  'municipal_event.cancelled',
  'municipal_event.exported',
  'municipal_event.registrants_anonymized',
  'municipal_event.checked_in',
  'municipal_event.check_in_undone',
  'retention_rules.updated',
  'retention.run',
  'conversation.anonymized',
  'conversation.deleted',
  'conversation.legal_hold_set',
  'conversation.legal_hold_lifted',
  'contact.anonymized',
  'contact.erased',
  'mailbox.copies_removed',
  'mailbox.copies_left',
  'contact.exported',
  'contact.merge_proposed',
  'contact.merge_rejected',
  'contact.merged',
  'contact.merge_undone',
  'audit.purged',
  'audit.exported',
  'conversation.rights_request_set',
  'conversation.rights_request_cleared',
  'conversation.rights_request_extended',
  'contact.export_sent',
  'contact.rectified',
  'contact.processing_restricted',
  'contact.processing_restriction_lifted',
  'contact.processing_refused',
  'processing_register.downloaded',
  'conversation.transferred_to_administration',
  'conversation.transfer_downloaded',
  'conversation.administration_transfer_withdrawn',
  'administration.created',
  'administration.updated',
  'administration.deleted',
  'canned_reply.created',
  'canned_reply.updated',
  'canned_reply.deleted',
  'label.created',
  'label.updated',
  'label.deleted',
  'routing_rule.created',
  'routing_rule.updated',
  'routing_rule.deleted',
  'routing_rules.reordered',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * What each audit action is called in the audit viewer (and, lower-cased, in a citizen's export):
 * one entry per action and language, so a new action cannot reach the screen as its code.
 */
export const AUDIT_ACTION_LABELS: Record<'fr' | 'en', Record<AuditAction, string>> = {
  fr: {
    'conversation.viewed': 'A ouvert la demande',
    'conversation.messages_read': 'A lu les messages',
    'conversations.searched': 'A fait une recherche',
    'attachment.downloaded': 'A téléchargé une pièce jointe',
    'conversation.updated': 'A modifié la demande',
    'conversation.replied': 'A répondu à l’usager',
    'conversation.noted': 'A ajouté une note interne',
    'conversation.call_logged': 'A noté un appel',
    'conversation.letter_registered': 'A enregistré un courrier reçu',
    'conversation.letter_posted': 'A posté un courrier',
    'contact.viewed': 'A consulté la fiche de l’usager',
    'contact.identity_added': 'A ajouté une coordonnée de l’usager',
    'contact.identity_removed': 'A retiré une coordonnée de l’usager',
    'channel.created': 'A créé un canal',
    'channel.updated': 'A modifié un canal',
    'channel.quarantine_retried': 'A réimporté un message en quarantaine',
    'channel.quarantine_discarded': 'A écarté un message en quarantaine',
    'channel.quarantine_downloaded': 'A téléchargé un message en quarantaine (.eml)',
    'agent.updated': 'A modifié le compte d’un agent',
    'agent.password_changed': 'A changé son mot de passe',
    'agent.signed_in': 'S’est connecté',
    'agent.sign_in_failed': 'A échoué à se connecter (mot de passe incorrect)',
    'agent.created_at_sign_in': 'Compte créé à la première connexion (SSO)',
    'session.revoked': 'A fermé une session',
    'oidc_provider.created': 'A ajouté un fournisseur d’identité (SSO)',
    'oidc_provider.updated': 'A modifié un fournisseur d’identité (SSO)',
    'oidc_provider.deleted': 'A supprimé un fournisseur d’identité (SSO)',
    'agent.created': 'A créé le compte d’un agent',
    'agent.invitation_sent': 'A envoyé une invitation à un agent',
    'agent.password_reset_sent': 'A envoyé un lien de réinitialisation du mot de passe',
    'agent.password_set': 'A choisi son mot de passe (invitation ou réinitialisation)',
    'agent.renamed': 'A changé son nom affiché',
    'agent.digest_updated': 'A réglé son récapitulatif des échéances',
    'organization.created': 'A créé la collectivité',
    'organization.logo_updated': 'A changé le logo de la collectivité',
    'platform.organization_created': 'A créé une collectivité sur la plateforme',
    'agent.platform_admin_granted': 'A nommé un administrateur de la plateforme',
    'agent.platform_admin_revoked': 'A retiré un administrateur de la plateforme',
    'organization.updated': 'A modifié les réglages de la collectivité',
    'organization.archived': 'A archivé la collectivité',
    'organization.unarchived': 'A désarchivé la collectivité',
    'organization.mail_updated': 'A modifié la messagerie de la collectivité',
    'organization.accessibility_updated': 'A modifié la déclaration d’accessibilité',
    'team.created': 'A créé un service',
    'team.updated': 'A modifié un service',
    'request_type.created': 'A créé un type de demande',
    'request_type.updated': 'A modifié un type de demande',
    'municipal_event.created': 'A créé un événement municipal',
    'municipal_event.updated': 'A modifié un événement municipal',
    'municipal_event.cancelled': 'A annulé un événement municipal',
    'municipal_event.exported': 'A exporté les inscrits d’un événement',
    'municipal_event.registrants_anonymized': 'Inscrits d’un événement anonymisés',
    'municipal_event.checked_in': 'A pointé la présence d’un inscrit',
    'municipal_event.check_in_undone': 'A annulé le pointage d’un inscrit',
    'retention_rules.updated': 'A modifié les règles de conservation',
    'retention.run': 'A lancé la conservation',
    'conversation.anonymized': 'Demande anonymisée',
    'conversation.deleted': 'Demande supprimée',
    'conversation.legal_hold_set': 'A placé la demande en conservation légale',
    'conversation.legal_hold_lifted': 'A levé la conservation légale',
    'contact.anonymized': 'Usager anonymisé',
    'contact.erased': 'A effacé les données de l’usager',
    'mailbox.copies_removed': 'Copies des courriels supprimées de la boîte aux lettres',
    'mailbox.copies_left': 'Copies des courriels laissées dans la boîte aux lettres (motif en détail)',
    'contact.exported': 'A exporté les données de l’usager',
    'contact.merge_proposed': 'A proposé une fusion de fiches',
    'contact.merge_rejected': 'A refusé une fusion de fiches',
    'contact.merged': 'A fusionné deux fiches',
    'contact.merge_undone': 'A annulé une fusion de fiches',
    'audit.purged': 'Purge de conservation (demandes, usagers, journal, quarantaine)',
    'audit.exported': 'A exporté le journal des accès',
    'conversation.rights_request_set': 'A qualifié la demande d’exercice de droits',
    'conversation.rights_request_cleared': 'A retiré la qualification de demande de droits',
    'conversation.rights_request_extended': 'A prolongé le délai de la demande de droits',
    'contact.export_sent': 'A envoyé ses données à l’usager',
    'contact.rectified': 'A rectifié le nom de l’usager',
    'contact.processing_restricted': 'A accordé une limitation ou une opposition au traitement',
    'contact.processing_restriction_lifted': 'A levé une limitation ou une opposition au traitement',
    'contact.processing_refused': 'Traitement refusé : données de l’usager limitées',
    'processing_register.downloaded': 'A téléchargé le registre des traitements',
    'conversation.transferred_to_administration': 'A transmis la demande à une administration partenaire',
    'conversation.transfer_downloaded': 'A téléchargé le dossier transmis à une administration (.eml)',
    'conversation.administration_transfer_withdrawn': 'A retiré la transmission à une administration partenaire',
    'administration.created': 'A ajouté une administration partenaire',
    'administration.updated': 'A modifié une administration partenaire',
    'administration.deleted': 'A supprimé une administration partenaire',
    'canned_reply.created': 'A créé une réponse type',
    'canned_reply.updated': 'A modifié une réponse type',
    'canned_reply.deleted': 'A supprimé une réponse type',
    'label.created': 'A créé une étiquette',
    'label.updated': 'A modifié une étiquette',
    'label.deleted': 'A supprimé une étiquette',
    'routing_rule.created': 'A créé une règle de routage',
    'routing_rule.updated': 'A modifié une règle de routage',
    'routing_rule.deleted': 'A supprimé une règle de routage',
    'routing_rules.reordered': 'A réordonné les règles de routage',
  },
  en: {
    'conversation.viewed': 'Opened the request',
    'conversation.messages_read': 'Read the messages',
    'conversations.searched': 'Searched',
    'attachment.downloaded': 'Downloaded an attachment',
    'conversation.updated': 'Changed the request',
    'conversation.replied': 'Replied to the citizen',
    'conversation.noted': 'Added an internal note',
    'conversation.call_logged': 'Logged a call',
    'conversation.letter_registered': 'Registered a received letter',
    'conversation.letter_posted': 'Posted a letter',
    'contact.viewed': 'Viewed the citizen’s file',
    'contact.identity_added': 'Added a contact detail of the citizen',
    'contact.identity_removed': 'Removed a contact detail of the citizen',
    'channel.created': 'Created a channel',
    'channel.updated': 'Changed a channel',
    'channel.quarantine_retried': 'Retried a quarantined message',
    'channel.quarantine_discarded': 'Discarded a quarantined message',
    'channel.quarantine_downloaded': 'Downloaded a quarantined message (.eml)',
    'agent.updated': 'Changed an agent’s account',
    'agent.password_changed': 'Changed their password',
    'agent.signed_in': 'Signed in',
    'agent.sign_in_failed': 'Failed to sign in (wrong password)',
    'agent.created_at_sign_in': 'Account created at first sign-in (SSO)',
    'session.revoked': 'Closed a session',
    'oidc_provider.created': 'Added an identity provider (SSO)',
    'oidc_provider.updated': 'Changed an identity provider (SSO)',
    'oidc_provider.deleted': 'Deleted an identity provider (SSO)',
    'agent.created': 'Created an agent’s account',
    'agent.invitation_sent': 'Sent an invitation to an agent',
    'agent.password_reset_sent': 'Sent a password reset link',
    'agent.password_set': 'Set their password (invitation or reset)',
    'agent.renamed': 'Changed their display name',
    'agent.digest_updated': 'Changed their deadlines digest',
    'organization.created': 'Created the organization',
    'organization.logo_updated': 'Changed the organization’s logo',
    'platform.organization_created': 'Created an organization on the platform',
    'agent.platform_admin_granted': 'Made an agent a platform administrator',
    'agent.platform_admin_revoked': 'Removed a platform administrator',
    'organization.updated': 'Changed the organization’s settings',
    'organization.archived': 'Archived the organization',
    'organization.unarchived': 'Unarchived the organization',
    'organization.mail_updated': 'Changed the organization’s mail settings',
    'organization.accessibility_updated': 'Changed the accessibility statement',
    'team.created': 'Created a service',
    'team.updated': 'Changed a service',
    'request_type.created': 'Created a request type',
    'request_type.updated': 'Changed a request type',
    'municipal_event.created': 'Created a municipal event',
    'municipal_event.updated': 'Changed a municipal event',
    'municipal_event.cancelled': 'Cancelled a municipal event',
    'municipal_event.exported': 'Exported an event’s registrants',
    'municipal_event.registrants_anonymized': 'Event registrants anonymized',
    'municipal_event.checked_in': 'Checked a registrant in',
    'municipal_event.check_in_undone': 'Undid a registrant’s check-in',
    'retention_rules.updated': 'Changed the retention rules',
    'retention.run': 'Ran retention',
    'conversation.anonymized': 'Request anonymized',
    'conversation.deleted': 'Request deleted',
    'conversation.legal_hold_set': 'Put the request on legal hold',
    'conversation.legal_hold_lifted': 'Lifted the legal hold',
    'contact.anonymized': 'Citizen anonymized',
    'contact.erased': 'Erased the citizen’s data',
    'mailbox.copies_removed': 'Mail copies removed from the mailbox',
    'mailbox.copies_left': 'Mail copies left in the mailbox (reason in the details)',
    'contact.exported': 'Exported the citizen’s data',
    'contact.merge_proposed': 'Proposed merging two files',
    'contact.merge_rejected': 'Rejected a merge of files',
    'contact.merged': 'Merged two files',
    'contact.merge_undone': 'Undid a merge of files',
    'audit.purged': 'Retention purge (requests, citizens, log, quarantine)',
    'audit.exported': 'Exported the audit log',
    'conversation.rights_request_set': 'Marked the request as a rights request',
    'conversation.rights_request_cleared': 'Cleared the rights request marking',
    'conversation.rights_request_extended': 'Extended the rights request’s deadline',
    'contact.export_sent': 'Sent the citizen their data',
    'contact.rectified': 'Rectified the citizen’s name',
    'contact.processing_restricted': 'Granted a restriction of or an objection to processing',
    'contact.processing_restriction_lifted': 'Lifted a restriction of or an objection to processing',
    'contact.processing_refused': 'Processing refused: the citizen’s data is restricted',
    'processing_register.downloaded': 'Downloaded the register of processing activities',
    'conversation.transferred_to_administration': 'Transferred the request to an external administration',
    'conversation.transfer_downloaded': 'Downloaded the file sent to an external administration (.eml)',
    'conversation.administration_transfer_withdrawn': 'Withdrew the transfer to an external administration',
    'administration.created': 'Added an external administration',
    'administration.updated': 'Changed an external administration',
    'administration.deleted': 'Deleted an external administration',
    'canned_reply.created': 'Created a canned reply',
    'canned_reply.updated': 'Changed a canned reply',
    'canned_reply.deleted': 'Deleted a canned reply',
    'label.created': 'Created a label',
    'label.updated': 'Changed a label',
    'label.deleted': 'Deleted a label',
    'routing_rule.created': 'Created a routing rule',
    'routing_rule.updated': 'Changed a routing rule',
    'routing_rule.deleted': 'Deleted a routing rule',
    'routing_rules.reordered': 'Reordered the routing rules',
  },
};

export interface AuditEventDto {
  id: string;
  at: string;
  action: string;
  agent: { id: string; name: string } | null;
  conversationId: string | null;
  conversationReference: string | null;
  contactId: string | null;
  data: Record<string, unknown> | null;
  /** From where: the request's IP address and the agent's session (its public id); null for the jobs' events. */
  ip: string | null;
  sessionId: string | null;
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

/**
 * What a granted rights request puts on the citizen's file: `limitation` (art. 18: the data stays
 * stored but is no longer processed — no message but the rights request's answer, no transfer,
 * no merge, no survey, no reminder, no retention) or `objection` (art. 21: no satisfaction
 * survey, no event reminder).
 */
export const PROCESSING_RESTRICTION_KINDS = ['limitation', 'objection'] as const;
export type ProcessingRestrictionKind = (typeof PROCESSING_RESTRICTION_KINDS)[number];

/** `POST /conversations/:id/rights-request/grant`: a limitation or objection request granted (supervisors, admins). */
export const grantRightsRequestSchema = z.object({
  reason: text(1000, 'motif'),
  /** Limitation: until when it is meant to last (the accuracy checked, the claim judged); lifting stays explicit. */
  until: z.iso.date('date de fin : AAAA-MM-JJ').nullable().optional(),
});
export type GrantRightsRequestInput = z.infer<typeof grantRightsRequestSchema>;

/** `POST /contacts/:id/restrictions/:kind/lift`: a supervisor lifts it; for a limitation the citizen is told first (art. 18.3). */
export const liftRestrictionSchema = z.object({ reason: text(1000, 'motif de la levée') });
export type LiftRestrictionInput = z.infer<typeof liftRestrictionSchema>;

export interface ProcessingRestrictionDto {
  id: string;
  contactId: string;
  kind: ProcessingRestrictionKind;
  /** The rights request it answers (null once that conversation is gone). */
  conversationId: string | null;
  reason: string;
  until: string | null;
  grantedAt: string;
  grantedBy: { id: string; name: string } | null;
  liftedAt: string | null;
  liftedBy: { id: string; name: string } | null;
  liftReason: string | null;
}

/** `GET /conversations/:id/privacy`: what the conversation screen shows of RGPD for one file. */
export interface ConversationPrivacyDto {
  rightsRequest: RightsRequestDto | null;
  legalHold: { reason: string; at: string; by: { id: string; name: string } | null } | null;
  anonymized: boolean;
  /** The citizen's limitation and objection in force (none lifted). */
  restrictions: ProcessingRestrictionDto[];
  /**
   * The citizen's limitation freezes this file (RGPD art. 18): no reply, note nor transfer here
   * (423). False for the rights request, a request the citizen wrote since, or no limitation.
   */
  frozen: boolean;
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
