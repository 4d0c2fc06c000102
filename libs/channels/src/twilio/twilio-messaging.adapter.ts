import { CHANNEL_CAPABILITIES, CHANNEL_CONFIG_SCHEMAS } from '@guichet/contracts';
import type { ChannelAdapter, FindSentResult, OutboundRequest, ProviderRecord, ReplyContext, SendResult } from '../adapter';
import { twilioErrorReason } from './twilio-errors';
import { twilioClient } from './twilio-rest-client';

const HOUR_MS = 3_600_000;
/** Pages of 50 read back from now at most when looking for an interrupted send (newest first). */
const FIND_SENT_PAGES = 10;
/** Twilio statuses of a message it did not take, or gave up on: not a copy the citizen may have. */
const REFUSED = new Set(['failed', 'undelivered', 'canceled']);

/** A page of Twilio's Messages list, as the twilio client reads them. */
interface MessageListPage {
  instances: import('twilio/lib/rest/api/v2010/account/message').MessageInstance[];
  nextPageUrl?: string;
  nextPage(): Promise<MessageListPage> | undefined;
}

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
  /** Twilio can be asked: its Messages list (findSent). */
  readonly interrupted = 'ask';

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

  /** The channel's Twilio account, sender and the citizen's address, or why the request cannot go. */
  private route(request: OutboundRequest) {
    const parsed = CHANNEL_CONFIG_SCHEMAS[this.kind].safeParse(request.channel.config);
    if (!parsed.success) return `configuration Twilio du canal ${this.kind === 'sms' ? 'SMS' : 'WhatsApp'} invalide`;
    const config = parsed.data;
    if (!config.authToken) return "le canal n'a pas de jeton d'authentification Twilio";
    if (!request.to) return "le citoyen n'a pas de numéro sur ce canal";
    const own = 'whatsappNumber' in config ? config.whatsappNumber : config.phoneNumber;
    const prefix = this.kind === 'whatsapp' ? 'whatsapp:' : '';
    return {
      client: twilioClient({ accountSid: config.accountSid, authToken: config.authToken, apiBaseUrl: config.apiBaseUrl }),
      messagingServiceSid: config.messagingServiceSid,
      from: prefix + own,
      to: prefix + request.to.value,
    };
  }

  async send(request: OutboundRequest): Promise<SendResult> {
    const route = this.route(request);
    if (typeof route === 'string') return { ok: false, temporary: false, reason: route };
    // Twilio fetches each file from its signed link; a file without one cannot go this way.
    const mediaUrl = request.message.attachments.map((a) => a.url).filter((u): u is string => !!u);
    if (mediaUrl.length < request.message.attachments.length)
      return { ok: false, temporary: false, reason: 'pièce jointe sans lien public : elle ne peut pas partir par Twilio' };
    const { client } = route;
    try {
      const message = await client.messages.create({
        ...(route.messagingServiceSid ? { messagingServiceSid: route.messagingServiceSid } : { from: route.from }),
        to: route.to,
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

  /**
   * Twilio's Messages list, filtered on To (and From, or the messaging service), newest first,
   * read back until `since`; a match is an outbound message with exactly this text that Twilio
   * did not refuse. Twilio echoes nothing of ours that is unique (no client reference, and the
   * status callback URL is not part of the Message resource), so the text, the addresses and the
   * time are the key; the caller leaves out the ids other Guichet messages hold (the same « Merci »
   * sent twice on purpose). Not filtered on DateSent: a message Twilio accepted but has not handed
   * to the carrier yet has no date_sent, and no DateSent filter matches it.
   */
  async findSent(request: OutboundRequest, since: Date): Promise<FindSentResult> {
    const route = this.route(request);
    // A request that cannot go never went: `send` refuses it for good, for the same reason.
    if (typeof route === 'string') return { ok: true, records: [] };
    const records: ProviderRecord[] = [];
    try {
      let page: MessageListPage = await route.client.messages.page({
        to: route.to,
        ...(route.messagingServiceSid ? {} : { from: route.from }),
        pageSize: 50,
      });
      for (let n = 1; ; n++) {
        let older = false;
        for (const m of page.instances) {
          if (m.dateCreated < since) {
            older = true;
            continue;
          }
          if (!m.direction.startsWith('outbound') || m.body !== request.message.body || REFUSED.has(m.status)) continue;
          if (route.messagingServiceSid && m.messagingServiceSid !== route.messagingServiceSid) continue;
          records.push({ externalId: m.sid, createdAt: m.dateCreated });
        }
        const next = older || n >= FIND_SENT_PAGES ? undefined : page.nextPage();
        if (!next) break;
        page = await next;
      }
    } catch (e) {
      const failure = twilioSendError(e);
      return { ok: false, reason: 'reason' in failure ? failure.reason : String(e) };
    }
    return { ok: true, records: records.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()) };
  }
}

export const smsAdapter = new TwilioMessagingAdapter('sms');
export const whatsappAdapter = new TwilioMessagingAdapter('whatsapp');
