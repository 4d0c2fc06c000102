import { z } from 'zod';
import type { ChannelKind } from './enums';

/**
 * Per-kind channel configuration. Fields listed in SECRET_FIELDS are encrypted at rest
 * and never returned by the API (write-only).
 */
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'numéro au format E.164 attendu (+33…)');
const host = z.string().min(1).max(255);
const port = z.number().int().min(1).max(65535);

const mailServer = z.object({
  host,
  port,
  secure: z.boolean().default(true),
  user: z.string().min(1),
  password: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
});

const twilio = {
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'Account SID Twilio invalide (AC…)'),
  authToken: z.string().min(8).optional(),
  messagingServiceSid: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/)
    .optional(),
  apiBaseUrl: z.url().optional(),
};

const meta = {
  pageAccessToken: z.string().min(1).optional(),
  appSecret: z.string().min(1).optional(),
  verifyToken: z.string().min(1).optional(),
  graphApiBaseUrl: z.url().optional(),
  graphApiVersion: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v21.0'),
};

export const CHANNEL_CONFIG_SCHEMAS = {
  email: z.object({
    address: z.email(),
    displayName: z.string().max(120).optional(),
    imap: mailServer.extend({ folders: z.array(z.string().min(1)).min(1).default(['INBOX']) }),
    smtp: mailServer,
    processed: z.enum(['leave', 'seen', 'move']).default('seen'),
    moveTo: z.string().optional(),
    importSinceDays: z.number().int().min(0).optional(),
    sentFolder: z.string().optional(),
  }),
  sms: z.object({ ...twilio, phoneNumber: e164 }),
  whatsapp: z.object({ ...twilio, whatsappNumber: e164 }),
  voice: z.object({
    ...twilio,
    phoneNumber: e164,
    forwardTo: e164.optional(),
    voicemailGreeting: z.string().max(500).optional(),
  }),
  messenger: z.object({ ...meta, pageId: z.string().regex(/^\d+$/) }),
  instagram: z.object({ ...meta, instagramAccountId: z.string().regex(/^\d+$/) }),
  webform: z.object({
    intro: z.string().max(2000).optional(),
    acknowledgement: z.string().max(2000).optional(),
  }),
  pbx: z.object({
    vendor: z.string().max(60).optional(),
    sharedSecret: z.string().min(16).optional(),
    /** Switchboard extension -> agent e-mail, so a ringing call pops up on that agent's screen. */
    extensions: z.record(z.string().regex(/^[0-9*#]{1,20}$/), z.email()).optional(),
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
};
