import type { IdentityKind, MessageKind } from './enums';

export interface InboundAttachment {
  fileName: string;
  contentType: string;
  /** Bytes of the file; the ingest service writes them to the blob store. */
  content: Uint8Array;
}

/**
 * Who vouches for the sender of an inbound message (ARCHITECTURE.md, "Threading"):
 * - `provider`: the channel's provider delivered it from `from` (the mailbox, the number Twilio
 *   delivered from, a Meta page-scoped id). Threads by the rules, with the sender check.
 * - `typed`: `from` and `extraIdentities` were typed by a person and prove nothing (a form; an e-mail
 *   without a usable From whose address is deduced from Reply-To, Sender or Return-Path). The
 *   message always opens a new conversation (flagged as possibly related to a quoted reference or
 *   to the file of a citizen holding a typed identity), and never adds an identity to an existing
 *   citizen.
 * - `tracking-link`: the tracking link's token proved `thread.conversationId` and that its citizen
 *   writes; no identity is involved.
 */
export type InboundSender = 'provider' | 'typed' | 'tracking-link';

/**
 * What every adapter (IMAP, Twilio webhook, Meta webhook, web form) produces. The ingest
 * service turns it into stored rows in one transaction.
 */
export interface InboundMessage {
  channelId: string;
  /** RFC 5322 Message-ID, Twilio MessageSid/CallSid, Meta mid, or a generated id for the web form. */
  externalId: string;
  /** Who vouches for the sender; `provider` when absent. */
  sender?: InboundSender;
  /** The sender's identity; absent only for a `tracking-link` message. */
  from?: { kind: IdentityKind; value: string; name?: string };
  /**
   * Other identities given next to `from` (web form: email and phone). Whoever sends, they are added
   * only to a citizen this message creates, when nobody holds them: never to an existing citizen.
   */
  extraIdentities?: { kind: IdentityKind; value: string }[];
  kind?: Extract<MessageKind, 'message' | 'call'>;
  subject?: string;
  text: string;
  html?: string;
  receivedAt?: Date;
  attachments?: InboundAttachment[];
  /** Channel-specific threading hints, resolved by the ingest service's matchers. */
  thread?: {
    /** A conversation id proven by a signed token (reply-to plus-address, tracking link). */
    conversationId?: string;
    /** Message-IDs from In-Reply-To / References. */
    inReplyTo?: string[];
    /** A `GU-XXXXXX` reference quoted by the citizen. */
    reference?: string;
    /** Append to the contact's latest open conversation (SMS, WhatsApp, Messenger). */
    latestOpen?: boolean;
  };
  /** Auto-replies never reopen a conversation nor trigger anything. */
  autoReply?: boolean;
  /** Provider-specific data kept with the message (headers of interest, call fields). */
  meta?: Record<string, unknown>;
}

/** What a provider adapter produces: its sender is always an identity the provider vouches for. */
export type ProviderInboundMessage = InboundMessage & Required<Pick<InboundMessage, 'from'>>;
