import { CHANNEL_KINDS, type ChannelKind } from './enums';

/**
 * What a channel kind can do. The web (composer, timeline, new conversation), the API (reply
 * checks, `ChannelDto`) and the adapters read this, never a list of kinds.
 */
export interface ChannelCapabilities {
  /** An agent can answer the citizen in writing on this channel (a phone line cannot). */
  reply: boolean;
  /** An agent can write first, to a citizen who never wrote (`POST /conversations`). */
  startConversation: boolean;
  /** The citizen's messages can carry files. */
  attachmentsIn: boolean;
  /** An agent's reply can carry files. */
  attachmentsOut: boolean;
  /** The most characters one reply holds; null: no limit of the channel's own (the body limit applies). */
  maxLength: number | null;
  /** Replies are billed in SMS segments (GSM-7 / UCS-2): the composer counts them (sms-segments.ts). */
  smsSegments: boolean;
  /** Replies are accepted only within this many hours of the citizen's last message on this kind; null: always. */
  replyWindowHours: number | null;
  /** The provider reports delivery after the send (sent → delivered / failed). */
  deliveryReceipts: boolean;
  /** Public posts' comments enter as conversations: answered in public, or once in private within the window. */
  comments: { publicReply: boolean; privateReplyWindowHours: number } | null;
  /** Messages can be HTML (shown in a sandboxed frame). */
  html: boolean;
  /** Messages have a subject (asked when an agent writes first). */
  subject: boolean;
  /** Short chat messages (bubbles in the timeline). */
  chat: boolean;
}

const none: ChannelCapabilities = {
  reply: false,
  startConversation: false,
  attachmentsIn: false,
  attachmentsOut: false,
  maxLength: null,
  smsSegments: false,
  replyWindowHours: null,
  deliveryReceipts: false,
  comments: null,
  html: false,
  subject: false,
  chat: false,
};

/** Meta (Send API): a free reply within 24 h, with the HUMAN_AGENT tag up to 7 days; one private reply to a comment within 7 days. */
const meta = {
  ...none,
  reply: true,
  attachmentsIn: true,
  attachmentsOut: true,
  // Long replies are split at the Send API's limit (2,000 / 1,000 characters), see splitMetaText.
  replyWindowHours: 7 * 24,
  deliveryReceipts: true,
  comments: { publicReply: true, privateReplyWindowHours: 7 * 24 },
  chat: true,
} satisfies ChannelCapabilities;

/** The one place a channel kind declares what it can do: a new kind does not compile until it is here. */
export const CHANNEL_CAPABILITIES = {
  email: { ...none, reply: true, startConversation: true, attachmentsIn: true, attachmentsOut: true, html: true, subject: true },
  // Twilio accepts 1,600 characters per message; the composer shows the segments they cost.
  sms: {
    ...none,
    reply: true,
    startConversation: true,
    attachmentsIn: true,
    maxLength: 1600,
    smsSegments: true,
    deliveryReceipts: true,
    chat: true,
  },
  // WhatsApp's customer-service window: free-form replies within 24 h of the citizen's last message.
  whatsapp: {
    ...none,
    reply: true,
    startConversation: true,
    attachmentsIn: true,
    maxLength: 4096,
    replyWindowHours: 24,
    deliveryReceipts: true,
    chat: true,
  },
  // Calls and voicemails (the recording is an attachment); no written reply.
  voice: { ...none, attachmentsIn: true },
  messenger: meta,
  instagram: meta,
  // Answers are read on the citizen's tracking page, with their files.
  webform: { ...none, reply: true, attachmentsIn: true, attachmentsOut: true, subject: true },
  pbx: none,
} satisfies Record<ChannelKind, ChannelCapabilities>;

/** A French reason to refuse a body longer than one message of this kind holds (its maxLength), or null. */
export function tooLongFor(kind: ChannelKind, body: string): string | null {
  const max = CHANNEL_CAPABILITIES[kind].maxLength;
  return max !== null && body.length > max
    ? `message trop long pour ce canal : ${max} caractères au plus (${body.length} écrits)`
    : null;
}

/** The kinds an agent can write first on, in the order of CHANNEL_KINDS. */
export const START_CONVERSATION_KINDS: readonly ChannelKind[] = CHANNEL_KINDS.filter(
  (k) => CHANNEL_CAPABILITIES[k].startConversation,
);
