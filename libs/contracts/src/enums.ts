export const AGENT_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const IDENTITY_KINDS = ['email', 'phone', 'whatsapp', 'messenger', 'instagram'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const CHANNEL_KINDS = ['email', 'sms', 'whatsapp', 'voice', 'messenger', 'instagram', 'webform', 'pbx', 'letter'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const MESSAGE_KINDS = ['message', 'note', 'call', 'event'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * An outbound message's life: `queued` (waiting for its sending job), `sending` (an attempt was
 * committed before the provider call: if it is still there later, that attempt's outcome was never
 * written and the provider is asked, or an agent, before anything is sent again), `sent` (the
 * provider accepted it), `delivered`, `failed`. `sending` with an error: an interrupted attempt
 * the provider cannot be asked about, waiting for an agent (retry, or check it arrived).
 */
export const DELIVERY_STATUSES = ['received', 'queued', 'sending', 'sent', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Which identity kind a channel reaches a citizen on (null: the channel has no per-citizen address). */
export const CHANNEL_IDENTITY: Record<ChannelKind, IdentityKind | null> = {
  email: 'email',
  sms: 'phone',
  voice: 'phone',
  pbx: 'phone',
  whatsapp: 'whatsapp',
  messenger: 'messenger',
  instagram: 'instagram',
  webform: null,
  // A paper letter: the sender's postal address is kept with the letter, not as an identity.
  letter: null,
};
