import { z } from 'zod';
import { ACK_VARIABLES, templateProblems, type RequestTypeAckTemplateName } from './acknowledgements';

/**
 * What an admin may change of the acknowledgements and an agent of their signature (L111-2):
 * the zod schemas the API validates with. Apart from acknowledgements.ts, whose texts and
 * rendering the agent app's composer uses: a module with zod schemas that the app imports a value
 * from brings zod into the app's first download (its top-level `z.object(…)` calls are kept).
 */

const template = (max: number) =>
  z
    .string('texte attendu')
    .max(max, `${max} caractères au plus`)
    .superRefine((v, ctx) => {
      for (const p of templateProblems(v, ACK_VARIABLES)) ctx.addIssue({ code: 'custom', message: p });
    });

const templates = z.object({
  receipt: template(6000),
  registration: template(4000),
  short: template(480),
  shortRegistration: template(480),
  paperReceipt: template(6000),
  paperRegistration: template(4000),
});

export const acknowledgementSettingsSchema = z
  .object({
    enabled: z.boolean('vrai ou faux attendu'),
    /** L111-2: replies carry the agent's identity (the organization's signature template). */
    signReplies: z.boolean('vrai ou faux attendu'),
    /** Empty: the default text. */
    templates: templates.partial(),
  })
  .partial()
  .refine((v) => v.enabled !== undefined || v.templates !== undefined || v.signReplies !== undefined, {
    message: 'aucun changement demandé',
  });
export type UpdateAcknowledgementSettingsInput = z.infer<typeof acknowledgementSettingsSchema>;

/**
 * `PUT /organization/acknowledgements/request-types/:id`: a démarche's own accusés de réception,
 * over the organization's (empty: the organization's again). Checked as the organization's are.
 */
export const requestTypeAcknowledgementSchema = z
  .object({
    templates: z.strictObject(
      templates
        .pick({ receipt: true, short: true, paperReceipt: true } satisfies Record<RequestTypeAckTemplateName, true>)
        .partial().shape,
      // The accusé d'enregistrement goes out before the démarche is known: it has none of its own.
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `texte inconnu pour une démarche : ${issue.keys.join(', ')} (receipt, short ou paperReceipt)`
            : undefined,
      },
    ),
  })
  .refine((v) => Object.keys(v.templates).length > 0, {
    message: 'aucun changement demandé',
    when: (payload) => payload.issues.length === 0,
  });
export type UpdateRequestTypeAcknowledgementInput = z.infer<typeof requestTypeAcknowledgementSchema>;

export const teamAcknowledgementSchema = z.object({ enabled: z.boolean('vrai ou faux attendu') });

export const agentSignatureSchema = z
  .object({
    /** The role L111-2 asks for (« Officier d’état civil », « Agent d’accueil »). */
    jobTitle: z.string('texte attendu').trim().max(120, 'fonction : 120 caractères au plus'),
    /** Sign with the service only (anonymity for safety, L111-2). */
    signAsService: z.boolean('vrai ou faux attendu'),
  })
  .partial()
  .refine((v) => v.jobTitle !== undefined || v.signAsService !== undefined, { message: 'aucun changement demandé' });
export type UpdateAgentSignatureInput = z.infer<typeof agentSignatureSchema>;
