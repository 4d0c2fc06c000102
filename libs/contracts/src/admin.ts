import { z } from 'zod';
import { SIGNATURE_VARIABLES, templateProblems } from './acknowledgements';
import { AGENT_ROLES, CHANNEL_KINDS, type ChannelKind } from './enums';
import { DEFAULT_OPENING_HOURS, RESPONSE_TARGET_UNITS, type ResponseTarget, type ServiceOpeningHours } from './deadlines';
import { passwordProblem } from './password-policy';

/** Administration of an organization: first run, services, agents, settings, outgoing mail. */

const text = (max: number, what: string) =>
  z
    .string({ error: (issue) => `${what} : ${issue.input === undefined ? 'obligatoire' : 'texte attendu'}` })
    .trim()
    .max(max, `${what} : ${max} caractères au plus`);
const required = (max: number, what: string) => text(max, what).min(1, `${what} : obligatoire`);
const optionalText = (max: number, what: string) => text(max, what).optional();
/** A reply signature's template (L111-2), the organization's or a service's: its variables only. */
const signatureTemplate = text(2000, 'signature').superRefine((v, ctx) => {
  for (const p of templateProblems(v, SIGNATURE_VARIABLES)) ctx.addIssue({ code: 'custom', message: `signature : ${p}` });
});

export const emailSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'adresse e-mail : obligatoire' : 'adresse e-mail attendue') })
  .trim()
  .toLowerCase()
  .max(254, 'adresse e-mail trop longue')
  .pipe(z.email('adresse e-mail invalide'));

/** A password checked against the policy (length, common passwords): password-policy.ts. */
export const passwordSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'mot de passe : obligatoire' : 'mot de passe attendu') })
  .superRefine((v, ctx) => {
    const problem = passwordProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const slugSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'identifiant : obligatoire' : 'identifiant attendu') })
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'identifiant : 2 à 63 caractères, minuscules, chiffres et tirets (ex. ville-exemple)');

const siretSchema = z
  .string()
  .trim()
  .regex(/^\d{14}$/, 'SIRET : 14 chiffres')
  .optional()
  .or(z.literal('').transform(() => undefined));

const phoneSchema = text(40, 'téléphone').optional();

export const organizationIdentitySchema = z.object({
  name: required(120, 'nom'),
  slug: slugSchema,
  address: optionalText(300, 'adresse'),
  phone: phoneSchema,
  email: emailSchema.optional().or(z.literal('').transform(() => undefined)),
  siret: siretSchema,
});

export const adminAccountSchema = z.object({
  name: required(120, 'nom de l’administrateur'),
  email: emailSchema,
  password: passwordSchema,
});

/** First run: the town and its first administrator (`POST /setup`, `pnpm guichet setup`). */
export const setupSchema = z
  .object({
    /** The one-time setup token printed in the server's log (or GUICHET_SETUP_TOKEN); not used by the CLI. */
    token: z.string().max(200).optional(),
    organization: organizationIdentitySchema,
    admin: adminAccountSchema,
  })
  .superRefine((v, ctx) => {
    // The password alone was checked by passwordSchema; here only what the address adds.
    const problem = passwordProblem(v.admin.password) ? null : passwordProblem(v.admin.password, v.admin.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['admin', 'password'], message: problem });
  });
export type SetupInput = z.infer<typeof setupSchema>;

/** `pnpm guichet create-admin`: an administrator added to an existing organization. */
export const createAdminSchema = z.object({ slug: slugSchema, admin: adminAccountSchema });
export type CreateAdminInput = z.infer<typeof createAdminSchema>;

/**
 * `pnpm guichet create-platform-admin`: the platform administrator (who creates the towns of a
 * shared platform). An admin of `slug` with that address is promoted; otherwise a new admin is
 * created there, which needs a password.
 */
export const createPlatformAdminSchema = z.object({
  slug: slugSchema,
  admin: z.object({ name: required(120, 'nom de l’administrateur'), email: emailSchema, password: passwordSchema.optional() }),
});
export type CreatePlatformAdminInput = z.infer<typeof createPlatformAdminSchema>;

// ---- Platform (several towns on one installation) ----

/** `POST /platform/organizations`: a further town and its first administrator, invited by e-mail. */
export const createOrganizationSchema = z.object({
  organization: organizationIdentitySchema,
  admin: z.object({ name: required(120, 'nom de l’administrateur'), email: emailSchema }),
});
export type CreateOrganizationInput = z.infer<typeof createOrganizationSchema>;

/**
 * A town as the platform administrator sees it: its identity and how many people work in it,
 * its administrators' names and addresses to reach them; never its citizens or conversations.
 */
export interface PlatformOrganizationDto {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  activeAgents: number;
  admins: { name: string; email: string; invited: boolean }[];
  /** When the platform administrator archived the town (its agents no longer sign in, its citizen pages are closed); null: in service. */
  archivedAt: string | null;
}

/** An administrator of the platform (`GET /platform/admins`): who may create, archive and list towns. */
/** `POST /platform/admins`: the platform role granted to the active agent (of any town) with this address. */
export const grantPlatformAdminSchema = z.object({ email: emailSchema });
export type GrantPlatformAdminInput = z.infer<typeof grantPlatformAdminSchema>;

export interface PlatformAdminDto {
  id: string;
  name: string;
  email: string;
  organization: { id: string; name: string };
}

export interface SetupStatusDto {
  /** True while no organization exists: the web app shows the setup page. */
  needed: boolean;
}

// ---- Services (teams) ----

const contactSchema = z.object({
  email: emailSchema.optional().or(z.literal('').transform(() => undefined)),
  phone: phoneSchema,
  address: optionalText(300, 'adresse'),
});

export const createTeamSchema = z.object({
  name: required(120, 'nom du service'),
  description: optionalText(1000, 'description'),
  contact: contactSchema.optional(),
});
export type CreateTeamInput = z.infer<typeof createTeamSchema>;

export const updateTeamSchema = z
  .object({
    name: required(120, 'nom du service').optional(),
    /** true: archived (hidden from choices, kept for the conversations that reference it). */
    archived: z.boolean('vrai ou faux attendu').optional(),
    description: text(1000, 'description').optional(),
    contact: contactSchema.optional(),
    /** The service's members: replaces the list. */
    memberIds: z.array(z.uuid('identifiant d’agent invalide')).max(1000).optional(),
    /** The service's own opening hours; null: the organization's (or the usual town-hall hours when it has none). */
    openingHours: z.lazy(() => openingHoursSchema.nullable()).optional(),
    /** Response targets per channel (replaces them; a channel left out: the Services Publics+ default). */
    responseTargets: z.lazy(() => responseTargetsSchema).optional(),
    /** The service's own reply signature template (L111-2); empty or null: the organization's. */
    signature: signatureTemplate.nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateTeamInput = z.infer<typeof updateTeamSchema>;

export interface TeamAdminDto {
  id: string;
  name: string;
  slug: string;
  archived: boolean;
  description: string | null;
  contact: { email?: string; phone?: string; address?: string };
  memberIds: string[];
  /** Its own opening hours, or null: the organization's (the usual town-hall hours when it has none). */
  openingHours: OpeningHours | null;
  /** Its response targets per channel; a channel missing: DEFAULT_RESPONSE_TARGETS. */
  responseTargets: Partial<Record<ChannelKind, ResponseTarget>>;
  /** Its own reply signature template, or null: the organization's. */
  signature: string | null;
}

// ---- Agents ----

export const createAgentSchema = z.object({
  name: required(120, 'nom'),
  email: emailSchema,
  role: z.enum(AGENT_ROLES, 'rôle inconnu : agent, supervisor ou admin').default('agent'),
  teamIds: z.array(z.uuid('identifiant de service invalide')).max(100, '100 services au plus').default([]),
  capacity: z.number('nombre entier attendu').int('nombre entier attendu').min(0).max(1000).default(10),
});
export type CreateAgentInput = z.infer<typeof createAgentSchema>;

/** The invitation or reset link's token and the chosen password (`POST /account/password`). */
export const setPasswordWithTokenSchema = z.object({
  token: z.string('lien invalide').min(20, 'lien invalide').max(200, 'lien invalide'),
  password: passwordSchema,
});
export type SetPasswordWithTokenInput = z.infer<typeof setPasswordWithTokenSchema>;

export const requestPasswordResetSchema = z.object({ email: emailSchema });

export const updateProfileSchema = z.object({ name: required(120, 'nom') });
export type UpdateProfileInput = z.infer<typeof updateProfileSchema>;

/**
 * A supervisor's mail of their services' files overdue or due within 48 hours, on working days:
 * whether they receive it and at what time (Paris, on the quarter hour; 07:30 unless changed).
 */
export const deadlineDigestSchema = z.object({
  enabled: z.boolean('vrai ou faux attendu'),
  time: z
    .string('heure attendue')
    .regex(/^([01]\d|2[0-3]):(00|15|30|45)$/, 'heure au format HH:MM, au quart d’heure (07:30, 08:00, 08:15…)'),
});
export type DeadlineDigestDto = z.infer<typeof deadlineDigestSchema>;

// ---- Organization settings ----

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'heure au format HH:MM');
const slotSchema = z
  .object({ opens: time, closes: time })
  .refine((s) => s.opens < s.closes, { message: 'l’ouverture doit précéder la fermeture' });
const day = z.array(slotSchema).max(4, '4 plages au plus par jour');
export const openingHoursSchema = z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<Weekday, typeof day>);
export type OpeningHours = z.infer<typeof openingHoursSchema>;

/** The opening hours as the due dates count them (0 = Sunday … 6 = Saturday); null when no day opens. */
export function serviceOpeningHours(o: OpeningHours | null | undefined): ServiceOpeningHours | null {
  if (!o) return null;
  const out: ServiceOpeningHours = {};
  WEEKDAYS.forEach((day, i) => {
    const slots = o[day] ?? [];
    if (slots.length) out[((i + 1) % 7) as 0 | 1 | 2 | 3 | 4 | 5 | 6] = slots.map((s) => [s.opens, s.closes]);
  });
  return Object.keys(out).length ? out : null;
}

/**
 * The hours a service's times (response targets, the reports' times in opening hours) are counted
 * in: its own, else its organization's, else the usual town-hall hours (DEFAULT_OPENING_HOURS).
 */
export function effectiveOpeningHours(
  team: ServiceOpeningHours | null | undefined,
  organization: OpeningHours | null | undefined,
): ServiceOpeningHours {
  return team ?? serviceOpeningHours(organization) ?? DEFAULT_OPENING_HOURS;
}

/**
 * The hours citizens are shown for a service: its own, else its organization's; null when neither
 * is set (the usual town-hall hours only stand in for the counting of due dates, nobody set them).
 */
export function publicOpeningHours(
  team: ServiceOpeningHours | null | undefined,
  organization: OpeningHours | null | undefined,
): OpeningHours | null {
  const hours = team ?? serviceOpeningHours(organization);
  return hours ? weekdayOpeningHours(hours) : null;
}

/** The reverse of serviceOpeningHours: per weekday name, as the admin screens edit them. */
export function weekdayOpeningHours(s: ServiceOpeningHours): OpeningHours {
  return Object.fromEntries(
    WEEKDAYS.map((day, i) => [
      day,
      (s[((i + 1) % 7) as 0 | 1 | 2 | 3 | 4 | 5 | 6] ?? []).map(([opens, closes]) => ({ opens, closes })),
    ]),
  ) as OpeningHours;
}

export const responseTargetSchema = z.object({
  amount: z.number('nombre entier attendu').int('nombre entier attendu').min(1, '1 au moins').max(90, '90 au plus'),
  unit: z.enum(RESPONSE_TARGET_UNITS, 'unité : « opening_days » ou « opening_hours »'),
});
export const responseTargetsSchema = z.partialRecord(z.enum(CHANNEL_KINDS, 'canal inconnu'), responseTargetSchema);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date au format AAAA-MM-JJ');
export const closureSchema = z
  .object({ from: isoDate, to: isoDate, reason: required(200, 'motif') })
  .refine((c) => c.from <= c.to, { message: 'la fin de la fermeture précède son début' })
  // Response targets skip closing days: a closing of years would leave files without one.
  .refine((c) => Date.parse(c.to) - Date.parse(c.from) <= 366 * 86_400_000, {
    message: 'une fermeture dure un an au plus',
  });

/**
 * How the citizen of a web form request hears of an agent's reply, at the e-mail or phone they
 * typed: `link`, a short message with the tracking link (by e-mail and by SMS); `full`, the reply
 * itself by e-mail (SMS still carries the short message).
 */
export const FORM_REPLY_NOTICES = ['link', 'full'] as const;
export type FormReplyNotice = (typeof FORM_REPLY_NOTICES)[number];

/**
 * Publication of the open-data indicators at the organization's public address: `off` (admins
 * download them from « Rapports »), `yearly` (each closed year), `quarterly` (each closed quarter
 * and year).
 */
export const OPEN_DATA_MODES = ['off', 'yearly', 'quarterly'] as const;
export type OpenDataMode = (typeof OPEN_DATA_MODES)[number];

export const organizationSettingsSchema = z
  .object({
    name: required(120, 'nom'),
    address: text(300, 'adresse'),
    phone: text(40, 'téléphone'),
    email: emailSchema.or(z.literal('')),
    website: z
      .string()
      .trim()
      .max(300)
      .regex(/^(https?:\/\/\S+)?$/, 'site web : adresse en http(s)://'),
    logoUrl: z
      .string()
      .trim()
      .max(500)
      .regex(/^(https?:\/\/\S+)?$/, 'logo : adresse en http(s)://'),
    siret: z
      .string()
      .trim()
      .regex(/^(\d{14})?$/, 'SIRET : 14 chiffres'),
    openingHours: openingHoursSchema,
    closures: z.array(closureSchema).max(100),
    /** Alsace-Moselle: Good Friday and 26 December are public holidays too. */
    alsaceMoselle: z.boolean(),
    signature: signatureTemplate,
    legalFooter: text(2000, 'mentions légales'),
    formReplyNotice: z.enum(FORM_REPLY_NOTICES, 'avis de réponse : « link » ou « full »'),
    /** The citizen is told when an agent transfers their request to another service. */
    transferNotice: z.boolean('vrai ou faux attendu'),
    openData: z.enum(OPEN_DATA_MODES, 'données ouvertes : « off », « yearly » ou « quarterly »'),
  })
  .partial()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateOrganizationSettingsInput = z.infer<typeof organizationSettingsSchema>;

export interface OrganizationSettingsDto {
  id: string;
  slug: string;
  name: string;
  address: string;
  phone: string;
  email: string;
  website: string;
  logoUrl: string;
  /** Where the uploaded logo is served (citizen pages, the agents' header), or null: organizationLogoPath. */
  logo: string | null;
  siret: string;
  openingHours: OpeningHours;
  closures: { from: string; to: string; reason: string }[];
  alsaceMoselle: boolean;
  signature: string;
  legalFooter: string;
  formReplyNotice: FormReplyNotice;
  /** The citizen is told when an agent transfers their request to another service. */
  transferNotice: boolean;
  /** Whether the indicators are published at a public address (openDataPath), and which periods. */
  openData: OpenDataMode;
  /** Public holidays of this year and the next (computed, french-holidays.ts). */
  holidays: { date: string; name: string }[];
}

/** The organization's uploaded logo: PNG, JPEG or WebP (an SVG may carry scripts), 512 KiB at most. */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const LOGO_MAX_BYTES = 512 * 1024;
/** The public address of a logo; `v` changes with its content, so it may be cached for long. */
export const organizationLogoPath = (slug: string, sha256: string) =>
  `/api/v1/public/organizations/${encodeURIComponent(slug)}/logo?v=${sha256.slice(0, 16)}`;

// ---- Outgoing mail of the organization itself (invitations, resets, acknowledgements) ----

export const orgMailSettingsSchema = z.discriminatedUnion('mode', [
  /** Embedded default: mails are printed in the server's log and kept for the admin to read. */
  z.object({ mode: z.literal('log') }),
  z.object({
    mode: z.literal('smtp'),
    fromAddress: emailSchema,
    fromName: text(120, 'nom d’expéditeur').optional(),
    host: required(253, 'serveur SMTP'),
    port: z.number('port attendu').int().min(1).max(65535),
    /** TLS from the start (465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean(),
    user: text(254, 'utilisateur').optional(),
    /** Write-only: absent keeps the saved one. */
    password: z.string().max(500).optional(),
  }),
]);
export type OrgMailSettingsInput = z.infer<typeof orgMailSettingsSchema>;

export type OrgMailSettingsDto =
  | { mode: 'log' }
  | {
      mode: 'smtp';
      fromAddress: string;
      fromName?: string;
      host: string;
      port: number;
      secure: boolean;
      user?: string;
      /** The password is never sent back: only whether one is saved (« enregistré »). */
      passwordSet: boolean;
    };

export interface OrgMailDto {
  id: string;
  to: string;
  subject: string;
  /** Kept only for mails printed to the log (no SMTP server set). */
  text: string | null;
  status: 'logged' | 'sent';
  createdAt: string;
}
