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

/**
 * One adapter per provider: stateless, credentials passed per call (no shared mutable client
 * configured per tenant). What a kind can do is declared in CHANNEL_CAPABILITIES (libs/contracts).
 */
export interface ChannelAdapter {
  kind: ChannelKind;
  /** A reason (French, for the agent) to refuse a reply now, e.g. a closed 24-hour window. */
  checkReply?(context: ReplyContext): string | null;
  send(request: OutboundRequest): Promise<SendResult>;
}

/** Channel kinds whose sending arrives with their own issue: the reason an agent sees. */
export class NotYetAvailableAdapter implements ChannelAdapter {
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
