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

/** The message the citizen receives: the L114-2 mention, the competent administration and how to reach it. */
export function administrationTransferNotice(f: {
  reference: string;
  administration: { name: string; email: string };
  date: string;
}): string {
  return [
    'Bonjour,',
    '',
    `Votre demande ${f.reference} relève de la compétence de : ${f.administration.name}.`,
    `Conformément à l'article L114-2 du code des relations entre le public et l'administration, nous la lui avons transmise le ${f.date}.`,
    `Cette administration en accusera réception et la traitera. Vous pouvez la contacter à l'adresse ${f.administration.email}.`,
  ].join('\n');
}
