import type { IdentityKind, MessageKind } from './enums';

export interface InboundAttachment {
  fileName: string;
  contentType: string;
  /** Bytes of the file; the ingest service writes them to the blob store. */
  content: Uint8Array;
}

/**
 * What every adapter (IMAP, Twilio webhook, Meta webhook, web form) produces. The ingest
 * service turns it into stored rows in one transaction.
 */
export interface InboundMessage {
  channelId: string;
  /** RFC 5322 Message-ID, Twilio MessageSid/CallSid, Meta mid, or a generated id for the web form. */
  externalId: string;
  from: { kind: IdentityKind; value: string; name?: string };
  /** Other identities the sender gave (web form: email and phone). */
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
