import { z } from 'zod';
import { CHANNEL_KINDS, PRIORITIES, type ChannelKind, type Priority } from './enums';

/** A label (étiquette) of the organization, as conversations carry it. */
export interface LabelDto {
  id: string;
  name: string;
  /** `#rrggbb`, lower case. */
  color: string;
}

/** Colours offered for labels: each reads on white and beside black text (a dot, not a background). */
export const LABEL_COLORS = ['#1d4ed8', '#047857', '#b45309', '#b91c1c', '#7c3aed', '#be185d', '#0e7490', '#4b5563'] as const;

const labelName = z.string('nom attendu').trim().min(1, 'le nom est obligatoire').max(60, 'le nom fait au plus 60 caractères');
const labelColor = z
  .string('couleur attendue')
  .trim()
  .toLowerCase()
  .regex(/^#[0-9a-f]{6}$/, 'couleur au format #rrggbb attendue');

/** `POST /labels` (admins and supervisors). */
export const createLabelSchema = z.object({ name: labelName, color: labelColor.default(LABEL_COLORS[0]) });
export type CreateLabelInput = z.infer<typeof createLabelSchema>;

/** `PATCH /labels/:id`. */
export const updateLabelSchema = z
  .object({ name: labelName.optional(), color: labelColor.optional() })
  .refine((v) => v.name !== undefined || v.color !== undefined, { message: 'aucun changement demandé' });
export type UpdateLabelInput = z.infer<typeof updateLabelSchema>;

/** At most this many labels on one conversation, and rules per organization. */
export const LABELS_PER_CONVERSATION_MAX = 20;
export const ROUTING_RULES_MAX = 200;

/**
 * What a routing rule looks at. Every condition given must hold; inside a list, any value does.
 * No condition at all: the rule takes every new conversation (a catch-all at the end).
 */
export interface RoutingConditions {
  /** The kind of channel the first message came by. */
  channelKinds?: ChannelKind[];
  /** The receiving address or number: the channel (mailbox, Twilio number, form) it came to. */
  channelIds?: string[];
  /** The démarche chosen on the form. */
  requestTypeIds?: string[];
  /** Words or phrases of the subject or first message, French, accents and endings ignored (as search does). */
  words?: string[];
  /** The citizen already has another file in this service. */
  knownToTeamId?: string;
}

/** What a rule does to the conversation it takes. */
export interface RoutingActions {
  teamId?: string;
  requestTypeId?: string;
  priority?: Priority;
  assigneeId?: string;
  labelIds?: string[];
}

export interface RoutingRuleDto {
  id: string;
  name: string;
  /** Rules are tried in this order (1 first); the first that matches is applied. */
  position: number;
  enabled: boolean;
  conditions: RoutingConditions;
  actions: RoutingActions;
}

const id = (what: string) => z.uuid(`identifiant de ${what} invalide`);
const word = z.string().trim().min(1, 'mot vide').max(100, 'un mot ou une expression fait au plus 100 caractères');

export const routingConditionsSchema = z
  .object({
    channelKinds: z.array(z.enum(CHANNEL_KINDS, 'type de canal inconnu')).min(1).max(CHANNEL_KINDS.length).optional(),
    channelIds: z.array(id('canal')).min(1).max(50).optional(),
    requestTypeIds: z.array(id('démarche')).min(1).max(50).optional(),
    words: z.array(word).min(1).max(50, 'au plus 50 mots').optional(),
    knownToTeamId: id('service').optional(),
  })
  .strict();

export const routingActionsSchema = z
  .object({
    teamId: id('service').optional(),
    requestTypeId: id('démarche').optional(),
    priority: z.enum(PRIORITIES, 'priorité inconnue').optional(),
    assigneeId: id('agent').optional(),
    labelIds: z.array(id('étiquette')).min(1).max(LABELS_PER_CONVERSATION_MAX).optional(),
  })
  .strict()
  .refine((a) => Object.values(a).some((v) => v !== undefined), { message: 'une règle fait au moins une action' });

const ruleName = z.string('nom attendu').trim().min(1, 'le nom est obligatoire').max(120, 'le nom fait au plus 120 caractères');

/** `POST /routing-rules` (admins): added last unless `position` is given. */
export const createRoutingRuleSchema = z.object({
  name: ruleName,
  enabled: z.boolean('vrai ou faux attendu').default(true),
  conditions: routingConditionsSchema.default({}),
  actions: routingActionsSchema,
  position: z.number().int().min(1).optional(),
});
export type CreateRoutingRuleInput = z.infer<typeof createRoutingRuleSchema>;

/** `PATCH /routing-rules/:id`: any field; `position` moves it (the others shift). */
export const updateRoutingRuleSchema = z
  .object({
    name: ruleName.optional(),
    enabled: z.boolean('vrai ou faux attendu').optional(),
    conditions: routingConditionsSchema.optional(),
    actions: routingActionsSchema.optional(),
    position: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateRoutingRuleInput = z.infer<typeof updateRoutingRuleSchema>;

/** `PUT /routing-rules/order`: every rule's id, in the new order. */
export const reorderRoutingRulesSchema = z.object({ ids: z.array(id('règle')).min(1).max(ROUTING_RULES_MAX) });
export type ReorderRoutingRulesInput = z.infer<typeof reorderRoutingRulesSchema>;

/** `POST /routing-rules/dry-run`: a message pasted by an admin, as if it opened a conversation. */
export const routingDryRunSchema = z.object({
  channelId: id('canal').optional(),
  channelKind: z.enum(CHANNEL_KINDS, 'type de canal inconnu').optional(),
  /** The sender (e-mail or phone): for « citoyen déjà connu du service ». */
  from: z.string().trim().max(254).optional(),
  /**
   * The démarche the citizen chose on the web form (or the agent gave with a letter): what the
   * « Démarche » condition reads, and a choice a rule's service and démarche do not override.
   */
  requestTypeId: id('démarche').optional(),
  /**
   * The service the request arrives in before any rule: the one chosen on the web form or with a
   * letter. Default: the démarche's service, else the channel's.
   */
  teamId: id('service').optional(),
  subject: z.string().max(200).optional(),
  body: z.string().max(20_000).default(''),
});
export type RoutingDryRunInput = z.infer<typeof routingDryRunSchema>;

/** Which conditions of a rule held, in a dry run. */
export type RoutingConditionKey = keyof RoutingConditions;

/** The actions a rule may set. */
export type RoutingActionKey = keyof RoutingActions;

/**
 * Why an action of the rule that matched does not apply to a request:
 * - `citizenChoice`: the citizen chose their démarche on the web form; it wins, with its service;
 * - `agentChoice`: an agent registered the request (a letter) in the service they chose (and with
 *   the démarche they gave, if any);
 * - `otherService`: the démarche, or the agent to assign, is not of the service the request ends in;
 * - `unavailable`: the démarche was withdrawn, the agent deactivated, the service or label removed.
 */
export const ROUTING_SKIP_REASONS = ['citizenChoice', 'agentChoice', 'otherService', 'unavailable'] as const;
export type RoutingSkipReason = (typeof ROUTING_SKIP_REASONS)[number];

/**
 * What the rule that matched does to a request, as routing applies it: each action that applies,
 * and each of its actions that does not, with why.
 */
export interface RoutingOutcome {
  /** The service the request ends in; null when unknown (no channel, démarche or service given, and the rule sets none). */
  teamId: string | null;
  /** Whether the rule moves the request to that service (false: it stays in the one it came to). */
  moved: boolean;
  /** The démarche the rule sets, or null. */
  requestTypeId: string | null;
  priority: Priority | null;
  assigneeId: string | null;
  /** The labels the rule adds (those that still exist). */
  labelIds: string[];
  /** The rule's actions that do not apply, in the order of the rule's actions. */
  skipped: { action: RoutingActionKey; reason: RoutingSkipReason }[];
}

export interface RoutingDryRunDto {
  /** The rule that would be applied (the first that matches), or null: the conversation stays where it came. */
  matched: RoutingRuleDto | null;
  /** What that rule would do to this request (null with no rule). */
  outcome: RoutingOutcome | null;
  /** Every enabled rule in order, with the conditions that failed (empty: it matches). */
  rules: { id: string; name: string; failed: RoutingConditionKey[] }[];
}
