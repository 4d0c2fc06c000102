import type { ChannelKind, IdentityKind } from '@guichet/contracts';

/** What a channel can do; the composer and the outbound worker read this, never `kind === 'sms'`. */
export interface ChannelCapabilities {
  /** Replies carry threading headers (email). */
  threads: boolean;
  html: boolean;
  attachments: boolean;
  /** Free-form replies only within 24 h of the citizen's last message (WhatsApp, Meta). */
  window24h: boolean;
  /** Characters per message, when the provider limits them. */
  maxChars?: number;
}

export interface OutboundRequest {
  channel: { id: string; kind: ChannelKind; config: Record<string, unknown> };
  /** The citizen's address on this channel; null for channels without one (web form). */
  to: { kind: IdentityKind; value: string } | null;
  message: { id: string; body: string; subject?: string | null; reference: string };
}

export type SendResult =
  | { ok: true; status: 'sent' | 'delivered'; externalId?: string }
  | { ok: false; temporary: boolean; reason: string };

/**
 * One adapter per provider: stateless, credentials passed per call (no shared mutable client
 * configured per tenant).
 */
export interface ChannelAdapter {
  kind: ChannelKind;
  capabilities: ChannelCapabilities;
  send(request: OutboundRequest): Promise<SendResult>;
}

/** Channel kinds whose sending arrives with their own issue: the reason an agent sees. */
export class NotYetAvailableAdapter implements ChannelAdapter {
  constructor(
    readonly kind: ChannelKind,
    readonly capabilities: ChannelCapabilities,
    private readonly label: string,
  ) {}

  async send(): Promise<SendResult> {
    return { ok: false, temporary: false, reason: `l'envoi par ${this.label} n'est pas encore disponible dans cette version de Guichet` };
  }
}
