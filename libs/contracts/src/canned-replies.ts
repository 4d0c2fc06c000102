import { z } from 'zod';
import { templateProblems } from './acknowledgements';

/** The variables a canned reply (réponse type) may use, filled from the conversation it is inserted in. */
export const CANNED_VARIABLES = {
  usager: 'nom de l’usager',
  reference: 'référence du dossier (GU-…)',
  demarche: 'démarche de la demande',
  date_decision: 'date de la décision implicite ou attendue (« 30 janvier 2027 »)',
  date_reponse: 'date à laquelle le service s’engage à répondre',
  lien_suivi: 'lien de la page de suivi de l’usager',
  agent: 'prénom et nom de l’agent qui répond',
  service: 'nom du service',
} as const;
export type CannedVariable = keyof typeof CANNED_VARIABLES;

export const CANNED_REPLIES_MAX = 500;

export interface CannedReplyDto {
  id: string;
  /** Null: offered in every service of the organization. */
  teamId: string | null;
  title: string;
  /** The text with its `{{variables}}`. */
  body: string;
  updatedAt: string;
}

const title = z
  .string('titre attendu')
  .trim()
  .min(1, 'le titre est obligatoire')
  .max(120, 'le titre fait au plus 120 caractères');
const body = z
  .string('texte attendu')
  .trim()
  .min(1, 'le texte est obligatoire')
  .max(5000, 'le texte fait au plus 5000 caractères')
  .superRefine((text, ctx) => {
    for (const problem of templateProblems(text, CANNED_VARIABLES)) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `POST /canned-replies` (admins and supervisors): for one service, or the whole organization (`teamId: null`). */
export const createCannedReplySchema = z.object({
  teamId: z.uuid('identifiant de service invalide').nullable().default(null),
  title,
  body,
});
export type CreateCannedReplyInput = z.infer<typeof createCannedReplySchema>;

export const updateCannedReplySchema = z
  .object({
    teamId: z.uuid('identifiant de service invalide').nullable().optional(),
    title: title.optional(),
    body: body.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'aucun changement demandé' });
export type UpdateCannedReplyInput = z.infer<typeof updateCannedReplySchema>;

/** `GET /canned-replies?teamId=&q=`: those of the service and the organization-wide ones, searched in title and text. */
export const listCannedRepliesQuerySchema = z.object({
  teamId: z.uuid('identifiant de service invalide').optional(),
  q: z.string().trim().max(100, 'recherche trop longue').optional(),
});
export type ListCannedRepliesQuery = z.infer<typeof listCannedRepliesQuerySchema>;

/** `POST /canned-replies/:id/render`: the text filled for one conversation. */
export const renderCannedReplySchema = z.object({ conversationId: z.uuid('identifiant de conversation invalide') });
export type RenderCannedReplyInput = z.infer<typeof renderCannedReplySchema>;
