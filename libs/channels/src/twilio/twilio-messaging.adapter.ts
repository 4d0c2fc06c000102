import { CHANNEL_CAPABILITIES, CHANNEL_CONFIG_SCHEMAS } from '@guichet/contracts';
import type { ChannelAdapter, OutboundRequest, ReplyContext, SendResult } from '../adapter';
import { twilioErrorReason } from './twilio-errors';
import { twilioClient } from './twilio-rest-client';

const HOUR_MS = 3_600_000;

/** Twilio's REST errors (RestException) and transport errors, as the outbound worker's result. */
export function twilioSendError(e: unknown): SendResult {
  const err = e as { status?: number; code?: number; message?: string };
  if (typeof err?.status === 'number') {
    const temporary = err.status === 429 || err.status >= 500;
    const reason = twilioErrorReason(err.code, temporary ? `Twilio indisponible (HTTP ${err.status})` : err.message);
    return { ok: false, temporary, reason };
  }
  return { ok: false, temporary: true, reason: `Twilio injoignable : ${err?.message ?? String(e)}` };
}

/** SMS and WhatsApp through Twilio Messaging (`messages.create` with a status callback). */
export class TwilioMessagingAdapter implements ChannelAdapter {
  constructor(readonly kind: 'sms' | 'whatsapp') {}

  /** The reply window declared in CHANNEL_CAPABILITIES (WhatsApp: 24 h; SMS: none). */
  checkReply(context: ReplyContext): string | null {
    const hours = CHANNEL_CAPABILITIES[this.kind].replyWindowHours;
    if (hours === null) return null;
    if (!context.lastInboundAt || context.now.getTime() - context.lastInboundAt.getTime() > hours * HOUR_MS) {
      return `hors de la fenêtre de ${hours} h de WhatsApp : le citoyen n'a pas écrit depuis plus de ${hours} heures, répondez par un autre canal`;
    }
    return null;
  }

  async send(request: OutboundRequest): Promise<SendResult> {
    const parsed = CHANNEL_CONFIG_SCHEMAS[this.kind].safeParse(request.channel.config);
    if (!parsed.success)
      return {
        ok: false,
        temporary: false,
        reason: `configuration Twilio du canal ${this.kind === 'sms' ? 'SMS' : 'WhatsApp'} invalide`,
      };
    const config = parsed.data;
    if (!config.authToken) return { ok: false, temporary: false, reason: "le canal n'a pas de jeton d'authentification Twilio" };
    if (!request.to) return { ok: false, temporary: false, reason: "le citoyen n'a pas de numéro sur ce canal" };
    const own = 'whatsappNumber' in config ? config.whatsappNumber : config.phoneNumber;
    const prefix = this.kind === 'whatsapp' ? 'whatsapp:' : '';
    // Twilio fetches each file from its signed link; a file without one cannot go this way.
    const mediaUrl = request.message.attachments.map((a) => a.url).filter((u): u is string => !!u);
    if (mediaUrl.length < request.message.attachments.length)
      return { ok: false, temporary: false, reason: 'pièce jointe sans lien public : elle ne peut pas partir par Twilio' };
    const client = twilioClient({ accountSid: config.accountSid, authToken: config.authToken, apiBaseUrl: config.apiBaseUrl });
    try {
      const message = await client.messages.create({
        ...(config.messagingServiceSid ? { messagingServiceSid: config.messagingServiceSid } : { from: prefix + own }),
        to: prefix + request.to.value,
        body: request.message.body,
        ...(mediaUrl.length ? { mediaUrl } : {}),
        statusCallback: `${request.publicUrl}/webhooks/twilio/${request.channel.id}/status`,
      });
      if (message.status === 'failed' || message.status === 'undelivered') {
        return { ok: false, temporary: false, reason: twilioErrorReason(message.errorCode, message.errorMessage) };
      }
      return { ok: true, status: 'sent', externalId: message.sid };
    } catch (e) {
      return twilioSendError(e);
    }
  }
}

export const smsAdapter = new TwilioMessagingAdapter('sms');
export const whatsappAdapter = new TwilioMessagingAdapter('whatsapp');
