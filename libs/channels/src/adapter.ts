import type { ChannelKind, IdentityKind } from '@guichet/contracts';

export interface OutboundAttachment {
  fileName: string;
  contentType: string;
  content: Uint8Array;
  /** A public link to the same bytes, signed and short-lived, for providers that fetch media themselves (Twilio MediaUrl). */
  url?: string;
}

export interface OutboundRequest {
  channel: { id: string; kind: ChannelKind; config: Record<string, unknown> };
  /** The citizen's address on this channel; null for channels without one (web form). */
  to: { kind: IdentityKind; value: string; name?: string | null } | null;
  message: { id: string; body: string; attachments: OutboundAttachment[] };
  conversation: { id: string; reference: string; subject: string | null; lastInboundAt: Date | null };
  /** External ids already stored in this conversation, oldest first (email References). */
  threadExternalIds: string[];
  /** Signed token proving that an answer belongs to this conversation (email plus-address). */
  replyToken: string;
  /** Public base URL of this Guichet, for provider callbacks (Twilio statusCallback). */
  publicUrl: string;
}

/** What a channel needs to know to accept or refuse a reply before anything is queued. */
export interface ReplyContext {
  /** The citizen's last inbound message on this channel kind. */
  lastInboundAt: Date | null;
  now: Date;
}

export type SendResult =
  { ok: true; status: 'sent' | 'delivered'; externalId?: string } | { ok: false; temporary: boolean; reason: string };

/** A message the provider accepted, found by `findSent`. */
export interface ProviderRecord {
  externalId: string;
  createdAt: Date;
}

/**
 * What a provider says of the messages it accepted (and did not refuse since) for this request's
 * citizen with this request's text since a time: every match, oldest first (the caller keeps one
 * no other message holds); or why it could not be asked (a temporary failure: ask again later,
 * send nothing).
 */
export type FindSentResult = { ok: true; records: ProviderRecord[] } | { ok: false; reason: string };

/**
 * What the outbound worker does with an attempt whose outcome was never written (a process killed
 * between the provider's answer and the write, a job expired while its send ran):
 * - `ask`: the adapter's `findSent` tells whether the provider has it (Twilio);
 * - `resend`: sending again is harmless (the same e-mail Message-ID, a web form's page);
 * - `agent`: nothing can be asked and a second copy would reach the citizen: an agent decides.
 */
export type InterruptedSend = 'ask' | 'resend' | 'agent';

/**
 * One adapter per provider: stateless, credentials passed per call (no shared mutable client
 * configured per tenant). What a kind can do is declared in CHANNEL_CAPABILITIES (libs/contracts).
 */
export interface ChannelAdapter {
  kind: ChannelKind;
  /** A reason (French, for the agent) to refuse a reply now, e.g. a closed 24-hour window. */
  checkReply?(context: ReplyContext): string | null;
  send(request: OutboundRequest): Promise<SendResult>;
  /** How an interrupted attempt is settled (see InterruptedSend); `ask` needs `findSent`. */
  interrupted: InterruptedSend;
  /** The provider's messages to this request's citizen with this request's text, created since `since`. */
  findSent?(request: OutboundRequest, since: Date): Promise<FindSentResult>;
}

/** Channel kinds whose sending arrives with their own issue: the reason an agent sees. */
export class NotYetAvailableAdapter implements ChannelAdapter {
  /** It sends nothing: running it again only refuses again. */
  readonly interrupted = 'resend';

  constructor(
    readonly kind: ChannelKind,
    private readonly label: string,
  ) {}

  async send(): Promise<SendResult> {
    return {
      ok: false,
      temporary: false,
      reason: `l'envoi par ${this.label} n'est pas encore disponible dans cette version de Guichet`,
    };
  }
}
