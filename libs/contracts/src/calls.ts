import { z } from 'zod';
import type { ChannelKind } from './enums';
import type { ConversationDto } from './dto';

/** An agent logs a call or a counter visit ("accueil physique") by hand on a conversation. */
export const logCallSchema = z.object({
  direction: z.enum(['inbound', 'outbound']),
  kind: z.enum(['phone', 'counter']).default('phone'),
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
  note: z.string().trim().max(5000).optional(),
});
export type LogCallInput = z.infer<typeof logCallSchema>;

/**
 * What any switchboard (3CX, Alcatel, Asterisk…) posts to `POST /webhooks/calls/:channelId`,
 * signed with `X-Guichet-Signature: <hex HMAC-SHA256 of the raw body with the shared secret>`.
 */
export const pbxCallEventSchema = z.object({
  event: z.enum(['ringing', 'answered', 'hangup']),
  callId: z.string().trim().min(1).max(200),
  from: z.string().trim().min(1).max(60),
  to: z.string().trim().min(1).max(60),
  direction: z.enum(['inbound', 'outbound']),
  agentEmail: z.email().optional(),
  extension: z.string().trim().max(20).optional(),
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .optional(),
  recordingUrl: z.url({ protocol: /^https?$/ }).optional(),
  at: z.iso.datetime({ offset: true }),
});
export type PbxCallEvent = z.infer<typeof pbxCallEventSchema>;

export type CallOutcome = 'ringing' | 'answered' | 'missed' | 'voicemail';

/** `call.ringing`: the pop-up agents see before picking up, with the caller recognised. */
export interface CallRingingDto {
  /** The `call` message id. */
  callId: string;
  channelId: string;
  channelKind: ChannelKind;
  from: string;
  to: string;
  conversationId: string;
  /** Null when the number was unknown before this call. */
  contact: { id: string; name: string | null } | null;
  /** The caller's conversations still in progress, newest first. */
  openConversations: ConversationDto[];
  at: string;
}
