import { z } from 'zod';
import { citizenContactFields, LIMITS } from './schemas';

/**
 * Letters (courrier papier, Services Publics+ engagement 5: answered within two weeks). An agent
 * registers a letter received at the town hall, with its scan: it opens a conversation on the
 * organization's `letter` channel, dated the day it was received (the CRPA deadlines and the
 * response target run from then). Its acknowledgement and its replies are printed letters an agent
 * posts, never sent electronically.
 */

/** The scans an agent attaches: PDF or an image the in-app viewer shows. */
export const LETTER_SCAN_TYPES: readonly string[] = ['application/pdf', 'image/jpeg', 'image/png'];

/** How far back a letter may be dated (a letter found late is still registered, with its real date). */
export const LETTER_MAX_AGE_DAYS = 366;

const lines = (text: string) => text.replace(/\r\n?/g, '\n');

const optionalUuid = (what: string) =>
  z
    .uuid(what)
    .optional()
    .or(z.literal('').transform(() => undefined));

/** `POST /letters` (multipart: these fields and one `scan` file). */
export const registerLetterSchema = z.object({
  /** The day the letter arrived (the date stamp), in Paris: not in the future. */
  receivedOn: z.string('date de réception obligatoire').regex(/^\d{4}-\d{2}-\d{2}$/, 'date de réception au format AAAA-MM-JJ'),
  name: z.string('nom de l’expéditeur obligatoire').trim().min(1, 'nom de l’expéditeur obligatoire').max(LIMITS.nameChars),
  /** The sender's postal address, as on the envelope (several lines). */
  address: z
    .string('adresse postale obligatoire')
    .trim()
    .min(5, 'adresse postale obligatoire (rue, code postal, commune)')
    .max(500, 'adresse postale : 500 caractères au plus')
    // A form posts its lines with CRLF: kept with \n, as typed.
    .transform(lines),
  ...citizenContactFields,
  teamId: z.uuid('service obligatoire'),
  requestTypeId: optionalUuid('démarche inconnue'),
  subject: z.string('objet obligatoire').trim().min(1, 'objet obligatoire').max(LIMITS.subjectChars),
  /** What the letter says, in the agent's words (the scan is the letter itself). */
  summary: z.string('résumé obligatoire').trim().min(1, 'résumé obligatoire').max(LIMITS.bodyChars).transform(lines),
});
export type RegisterLetterInput = z.infer<typeof registerLetterSchema>;

/** What an inbound letter's message tells besides its summary: who wrote from where, and when it came. */
export interface LetterFactsDto {
  receivedOn: string;
  sender: { name: string; address: string };
}

/** The sender's postal address as lines (blank lines and spaces around dropped). */
export function addressLines(address: string): string[] {
  return address
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Who sent a letter, as compared between letters: the name and the postal address with case,
 * accents, punctuation and spacing dropped (« 12, Rue des Lilas — 99000 DÉMO » = « 12 rue des
 * lilas 99000 Demo »). Equal keys are the same name at the same address, nothing fuzzier.
 */
export function letterSenderKey(name: string, address: string): string {
  const plain = (s: string) =>
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return `${plain(name)}|${plain(address)}`;
}
