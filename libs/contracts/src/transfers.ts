import { z } from 'zod';
import { LIMITS } from './schemas';

/**
 * CRPA L114-2: a request sent to the wrong administration is forwarded to the competent one and
 * the citizen is told. `POST /conversations/:id/transfer-administration`.
 */
export const transferToAdministrationSchema = z.object({
  administration: z.object({
    name: z
      .string('nom de l’administration attendu')
      .trim()
      .min(2, 'le nom de l’administration compétente est obligatoire')
      .max(200, 'le nom fait au plus 200 caractères'),
    email: z.email('adresse e-mail de l’administration invalide').max(254),
  }),
  /**
   * The entry of the town's directory the agent picked (its details then come from the directory:
   * the name and e-mail above are ignored); without it, the administration typed by hand.
   */
  administrationId: z.uuid('identifiant d’administration invalide').optional(),
  /** What the agent writes to the receiving administration (it goes first in the e-mail). */
  note: z
    .string('note attendue')
    .trim()
    .min(1, 'un mot pour l’administration qui reçoit la demande est obligatoire')
    .max(LIMITS.bodyChars, 'note trop longue'),
  /** The channel the citizen is told on (default: the one of their last message). */
  channelId: z.uuid('identifiant de canal invalide').optional(),
  version: z.number().int().min(1),
});
export type TransferToAdministrationInput = z.infer<typeof transferToAdministrationSchema>;

export interface AdministrationTransferDto {
  id: string;
  conversationId: string;
  administration: { name: string; email: string };
  transferredAt: string;
  /** The message that told the citizen. */
  citizenMessageId: string;
}

/**
 * What the citizen is told when an agent transfers their request to another service of the town
 * (when the organization wants it); the agent's signature follows (L111-2).
 */
export function serviceTransferNotice(f: { reference: string; team: string }): string {
  return [
    'Bonjour,',
    '',
    `Votre demande ${f.reference} a été transmise au service « ${f.team} », qui la traitera et vous répondra.`,
  ].join('\n');
}

/** The message the citizen receives: the L114-2 mention, the competent administration and how to reach it. */
export function administrationTransferNotice(f: {
  reference: string;
  administration: { name: string; email: string; address?: string | null; phone?: string | null; website?: string | null };
  date: string;
}): string {
  const a = f.administration;
  return [
    'Bonjour,',
    '',
    `Votre demande ${f.reference} relève de la compétence de : ${a.name}.`,
    `Conformément à l'article L114-2 du code des relations entre le public et l'administration, nous la lui avons transmise le ${f.date}.`,
    `Cette administration en accusera réception et la traitera. Vous pouvez la contacter à l'adresse ${a.email}.`,
    ...(a.address ? [`Adresse postale : ${a.address}`] : []),
    ...(a.phone ? [`Téléphone : ${a.phone}`] : []),
    ...(a.website ? [`Site internet : ${a.website}`] : []),
  ].join('\n');
}

/**
 * The directory of external administrations of a town (L114-2): where its agents forward the
 * requests that are not the town's. `GET /administrations` (agents), POST/PATCH/DELETE (admins).
 */
export const ADMINISTRATION_KINDS = [
  'prefecture',
  'caf',
  'cpam',
  'departement',
  'region',
  'intercommunalite',
  'france_travail',
  'autre',
] as const;
export type AdministrationKind = (typeof ADMINISTRATION_KINDS)[number];

export interface ExternalAdministrationDto {
  id: string;
  kind: AdministrationKind;
  name: string;
  email: string;
  address: string | null;
  phone: string | null;
  website: string | null;
}

const optionalText = (max: number, what: string) =>
  z
    .string(`${what} attendu`)
    .trim()
    .max(max, `${what} : au plus ${max} caractères`)
    .transform((v) => v || null)
    .nullable()
    .optional();

export const createAdministrationSchema = z.object({
  kind: z.enum(ADMINISTRATION_KINDS, 'type d’administration inconnu'),
  name: z
    .string('nom de l’administration attendu')
    .trim()
    .min(2, 'le nom de l’administration est obligatoire')
    .max(200, 'le nom fait au plus 200 caractères'),
  email: z.email('adresse e-mail de l’administration invalide').max(254),
  address: optionalText(300, 'adresse postale'),
  phone: optionalText(40, 'téléphone'),
  website: z
    .union([z.literal(''), z.url({ protocol: /^https?$/, error: 'adresse du site invalide (https://…)' }).max(300)])
    .transform((v) => v || null)
    .nullable()
    .optional(),
});
export type CreateAdministrationInput = z.infer<typeof createAdministrationSchema>;
export const updateAdministrationSchema = createAdministrationSchema.partial();
export type UpdateAdministrationInput = z.infer<typeof updateAdministrationSchema>;
