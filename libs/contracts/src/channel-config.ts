import { z } from 'zod';
import type { ChannelKind } from './enums';

/**
 * Per-kind channel configuration. Fields listed in SECRET_FIELDS are encrypted at rest
 * and never returned by the API (write-only). Each field's `.meta({ title, description })` is the
 * French label and help of the administration form, which is generated from these schemas
 * (channelConfigForm): a field added here appears there.
 */
const label = (title: string, description?: string) => (description ? { title, description } : { title });

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'numéro au format E.164 attendu (+33…)');
const host = z.string().min(1).max(255).meta(label('Serveur', 'Nom du serveur, ex. imap.ville.fr'));
const port = z.number().int().min(1).max(65535).meta(label('Port'));

const mailServer = z.object({
  host,
  port,
  secure: z
    .boolean()
    .default(true)
    .meta(
      label('Connexion chiffrée (TLS)', 'Cochée pour les ports 993 (IMAP) et 465 (SMTP) ; décochée pour 143 ou 587 (STARTTLS).'),
    ),
  user: z.string().min(1).meta(label('Identifiant')),
  password: z.string().min(1).optional().meta(label('Mot de passe')),
  accessToken: z.string().min(1).optional().meta(label('Jeton OAuth2', 'À la place du mot de passe (Microsoft 365, Google).')),
});

const twilio = {
  accountSid: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'Account SID Twilio invalide (AC…)')
    .meta(label('Account SID Twilio', 'Console Twilio, page d’accueil du compte (AC…).')),
  authToken: z.string().min(8).optional().meta(label('Auth Token Twilio')),
  messagingServiceSid: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'identifiant de Messaging Service invalide (MG…)')
    .optional()
    .meta(label('Messaging Service SID', 'Facultatif (MG…) : envoie par un service de messagerie Twilio.')),
  apiBaseUrl: z.url().optional().meta(label('Adresse de l’API Twilio', 'Laisser vide en production.')),
};

const meta = {
  pageAccessToken: z.string().min(1).optional().meta(label('Jeton d’accès de la page')),
  appSecret: z
    .string()
    .min(1)
    .optional()
    .meta(label('Clé secrète de l’application', 'Vérifie la signature des notifications de Meta.')),
  verifyToken: z
    .string()
    .min(1)
    .optional()
    .meta(label('Jeton de vérification', 'Le même que celui saisi dans la configuration du webhook chez Meta.')),
  graphApiBaseUrl: z.url().optional().meta(label('Adresse de l’API Graph', 'Laisser vide en production.')),
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, 'version au format v21.0')
    .default('v21.0')
    .meta(label('Version de l’API Graph')),
};

export const CHANNEL_CONFIG_SCHEMAS = {
  email: z.object({
    address: z.email('adresse e-mail invalide').meta(label('Adresse de la boîte', 'L’adresse à laquelle les citoyens écrivent.')),
    displayName: z.string().max(120).optional().meta(label('Nom affiché', 'Ex. « Mairie — État civil »')),
    imap: mailServer
      .extend({
        folders: z
          .array(z.string().min(1))
          .min(1)
          .default(['INBOX'])
          .meta(label('Dossiers lus', 'Un dossier par ligne (INBOX par défaut).')),
      })
      .meta(label('Réception (IMAP)')),
    smtp: mailServer.meta(label('Envoi (SMTP)')),
    processed: z
      .enum(['leave', 'seen', 'move'])
      .default('seen')
      .meta({
        title: 'Après import',
        options: { leave: 'Laisser tel quel', seen: 'Marquer comme lu', move: 'Déplacer dans un dossier' },
      }),
    moveTo: z.string().optional().meta(label('Dossier de destination', 'Si « move » : où déplacer les messages importés.')),
    importSinceDays: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta(label('Importer l’historique (jours)', 'À la première connexion, les messages de moins de N jours.')),
    sentFolder: z
      .string()
      .optional()
      .meta(
        label(
          'Dossier des envoyés',
          'Pour y ranger une copie des réponses (ex. Sent) ; elle est supprimée quand la demande est anonymisée.',
        ),
      ),
  }),
  sms: z.object({ ...twilio, phoneNumber: e164.meta(label('Numéro SMS', 'Format international, ex. +33612345678.')) }),
  whatsapp: z.object({
    ...twilio,
    whatsappNumber: e164.meta(label('Numéro WhatsApp', 'Format international, ex. +33612345678.')),
  }),
  voice: z.object({
    ...twilio,
    phoneNumber: e164.meta(label('Numéro appelé', 'Format international, ex. +33512345678.')),
    forwardTo: e164.optional().meta(label('Renvoyer vers', 'Le standard ou un poste, au format international.')),
    voicemailGreeting: z
      .string()
      .max(500)
      .optional()
      .meta(label('Message du répondeur', 'Lu à l’appelant quand personne ne répond.')),
  }),
  messenger: z.object({
    ...meta,
    pageId: z.string().regex(/^\d+$/, 'identifiant numérique attendu').meta(label('Identifiant de la page Facebook')),
  }),
  instagram: z.object({
    ...meta,
    instagramAccountId: z
      .string()
      .regex(/^\d+$/, 'identifiant numérique attendu')
      .meta(label('Identifiant du compte Instagram professionnel')),
  }),
  webform: z.object({
    intro: z.string().max(2000).optional().meta(label('Texte d’accueil du formulaire')),
    acknowledgement: z.string().max(2000).optional().meta(label('Message de confirmation', 'Affiché au citoyen après l’envoi.')),
  }),
  pbx: z.object({
    vendor: z.string().max(60).optional().meta(label('Fabricant du standard', 'Ex. 3CX, Wildix, Alcatel.')),
    sharedSecret: z
      .string()
      .min(16, '16 caractères au moins')
      .optional()
      .meta(label('Secret partagé', 'Signe les notifications du standard (16 caractères au moins).')),
    /** Switchboard extension -> agent e-mail, so a ringing call pops up on that agent's screen. */
    extensions: z
      .record(z.string().regex(/^[0-9*#]{1,20}$/, 'poste : chiffres, * ou #'), z.email('adresse e-mail invalide'))
      .optional()
      .meta(label('Postes', 'Une ligne par poste : « 201 = agent@ville.fr », pour afficher l’appel sur l’écran de l’agent.')),
  }),
  // The letters an agent registers: where the town receives them (printed on replies' letterhead when the service has none).
  letter: z.object({
    address: z
      .string()
      .max(500)
      .optional()
      .meta(label('Adresse postale du courrier', 'Où la mairie reçoit le courrier, si elle diffère de celle de la mairie.')),
  }),
} satisfies Record<ChannelKind, z.ZodType>;

export type ChannelConfig<K extends ChannelKind = ChannelKind> = z.infer<(typeof CHANNEL_CONFIG_SCHEMAS)[K]>;

/** Dotted paths of secret fields per kind: encrypted at rest, stripped from every API answer. */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  email: ['imap.password', 'imap.accessToken', 'smtp.password', 'smtp.accessToken'],
  sms: ['authToken'],
  whatsapp: ['authToken'],
  voice: ['authToken'],
  messenger: ['pageAccessToken', 'appSecret', 'verifyToken'],
  instagram: ['pageAccessToken', 'appSecret', 'verifyToken'],
  webform: [],
  pbx: ['sharedSecret'],
  letter: [],
};

/** The administration form of a kind: its JSON Schema (input side), with the French labels of `.meta()`. */
export function channelConfigForm(kind: ChannelKind): Record<string, unknown> {
  return z.toJSONSchema(CHANNEL_CONFIG_SCHEMAS[kind], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
