import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  emptyTwiml,
  goodbyeTwiml,
  incomingCallTwiml,
  InvalidTwilioPayloadError,
  optKeyword,
  parseTwilioForm,
  twilioDeliveryStatus,
  twilioErrorReason,
  twilioMessageToInbound,
  verifyTwilioSignature,
  voicemailTwiml,
  type TwilioParams,
} from '@guichet/channels';
import { InvalidIdentityError, normalizeIdentity, type ChannelKind } from '@guichet/contracts';
import { APP_CONFIG, type AppConfig } from '../../../config';
import { badRequest, forbidden, notFound } from '../../../common/errors';
import { ChannelService, type ResolvedChannel } from '../../channels/channel.service';
import { ContactDirectory } from '../../contacts/contact-directory.service';
import { IngestService } from '../../ingest/ingest.service';
import { WebhookInbox, type InboxRow } from '../../ingest/webhook-inbox';
import { DeliveryStatusService } from '../../outbound/delivery-status.service';
import { CallService } from '../call.service';
import { TelephonyQueue } from '../telephony-queue';

const one = (p: TwilioParams, k: string) => {
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
};
const seconds = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

/** The webhook inbox's kinds of Twilio's stored webhooks. */
const INBOX = { sms: 'twilio-sms', voice: 'twilio-voice', voiceStatus: 'twilio-voice-status' } as const;

/**
 * Twilio's webhooks: every request is checked against the channel's auth token over the exact
 * public URL before anything is read or stored; then messages and calls are stored in the webhook
 * inbox, acknowledged, and processed right after (the ingest service, the call service); status
 * callbacks go straight to the delivery status service (one UPDATE, no queue to wait for).
 */
/** What a caller hears on the number of a town archived by the platform. */
export const ARCHIVED_TOWN_CALL =
  'Ce numéro de la mairie n’est plus relié à son service en ligne. Merci de contacter directement votre mairie. Au revoir.';

@Injectable()
export class TwilioWebhookService {
  private readonly logger = new Logger('Twilio');

  constructor(
    private readonly channels: ChannelService,
    private readonly ingest: IngestService,
    private readonly contacts: ContactDirectory,
    private readonly delivery: DeliveryStatusService,
    private readonly calls: CallService,
    private readonly queue: TelephonyQueue,
    private readonly inbox: WebhookInbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    inbox.handle(INBOX.sms, (row) => this.processMessage(row));
    inbox.handle(INBOX.voice, (row) => this.processVoice(row));
    inbox.handle(INBOX.voiceStatus, (row) => this.processVoiceStatus(row));
  }

  /** The webhook's channel, before its body is read: 404 for an unknown channel or one of another kind. */
  async channel(channelId: string, kinds: ChannelKind[]): Promise<ResolvedChannel> {
    const channel = await this.channels.webhookChannel(channelId);
    if (!channel || !kinds.includes(channel.kind)) throw notFound('canal');
    return channel;
  }

  /** The posted fields once `X-Twilio-Signature` matches them over the exact public URL (403 otherwise). */
  verify(channel: ResolvedChannel, path: string, signature: string | undefined, rawBody: Buffer): TwilioParams {
    const params = parseTwilioForm(rawBody);
    const token = typeof channel.config.authToken === 'string' ? channel.config.authToken : undefined;
    if (!verifyTwilioSignature(token, signature, this.config.publicUrl + path, params)) {
      throw forbidden('signature Twilio invalide');
    }
    // An archived town's channel answers Twilio (200, nothing stored), a disabled one 404.
    if (!channel.enabled && !channel.organizationArchived) throw notFound('canal');
    return params;
  }

  /**
   * Inbound SMS, MMS or WhatsApp: checked (400 with the reason), stored in the webhook inbox
   * (once per MessageSid) and acknowledged; `processMessage` files it right after. Never 503:
   * Twilio does not deliver a refused message again, shedding it would lose it.
   */
  async message(channel: ResolvedChannel, params: TwilioParams, raw: Buffer): Promise<string> {
    if (channel.organizationArchived) {
      // The town left the platform: nothing stored (Twilio keeps the message in the town's account).
      this.logger.log(`SMS ${one(params, 'MessageSid') ?? '?'} pour une commune archivée : non enregistré`);
      return emptyTwiml();
    }
    const { parsed, value } = this.parseMessage(channel, params);
    await this.inbox.store({
      channelId: channel.id,
      kind: INBOX.sms,
      dedupeKey: `sms:${parsed.inbound.externalId}`,
      // One sender's messages are filed in the order they came.
      orderKey: `${parsed.inbound.from.kind}:${value}`,
      payload: raw.toString('utf8'),
    });
    return emptyTwiml();
  }

  private parseMessage(channel: ResolvedChannel, params: TwilioParams) {
    try {
      const parsed = twilioMessageToInbound(channel.id, params);
      return { parsed, value: normalizeIdentity(parsed.inbound.from.kind, parsed.inbound.from.value) };
    } catch (e) {
      if (e instanceof InvalidTwilioPayloadError || e instanceof InvalidIdentityError) throw badRequest(e.message);
      throw e;
    }
  }

  /** The stored webhook's channel as it is now (deleted: its rows went with it; refused otherwise). */
  private async stored(row: InboxRow): Promise<{ channel: ResolvedChannel; params: TwilioParams } | null> {
    const channel = await this.channels.webhookChannel(row.channel_id);
    if (!channel) throw notFound('canal');
    // Archived since it was stored: nothing filed, as at the acknowledgement.
    if (channel.organizationArchived) return null;
    return { channel, params: parseTwilioForm(row.payload) };
  }

  /** A stored inbound message filed by the ingest; media fetched on the job queue. */
  private async processMessage(row: InboxRow): Promise<void> {
    const stored = await this.stored(row);
    if (!stored) return;
    const { channel, params } = stored;
    const { parsed, value } = this.parseMessage(channel, params);
    const result = await this.ingest.ingest({ ...parsed.inbound, receivedAt: row.received_at });
    // Queued again when the message was already there (its row processed again after a crash):
    // the job skips the files the message has.
    if (parsed.media.length) {
      await this.queue.sendMedia({
        organizationId: channel.organizationId,
        channelId: channel.id,
        messageId: result.messageId,
        items: parsed.media,
      });
    }
    const keyword = optKeyword(parsed.inbound.text);
    if (keyword) await this.contacts.setOptedOut(channel.organizationId, parsed.inbound.from.kind, value, keyword === 'opt-out');
  }

  /** Delivery status callbacks; out-of-order ones never move a message backwards. */
  async status(channel: ResolvedChannel, params: TwilioParams): Promise<void> {
    if (channel.organizationArchived) return;
    const sid = one(params, 'MessageSid') ?? one(params, 'SmsSid');
    const status = twilioDeliveryStatus(one(params, 'MessageStatus') ?? one(params, 'SmsStatus'));
    if (!sid) throw badRequest('MessageSid manquant');
    if (!status) return;
    const error = status === 'failed' ? twilioErrorReason(one(params, 'ErrorCode'), one(params, 'ErrorMessage')) : null;
    const found = await this.delivery.update(channel.id, sid, status, error);
    if (!found) await this.queue.sendLateStatus({ channelId: channel.id, externalId: sid, status, error });
  }

  private actionUrl(channel: ResolvedChannel): string {
    return `${this.config.publicUrl}/webhooks/twilio/${channel.id}/voice-status`;
  }

  /**
   * An incoming call: stored in the inbox and answered at once with the TwiML that forwards it
   * (or goes to voicemail), which depends on the channel only; `processVoice` files it and pops
   * it up right after. Never 503: Twilio does not call again, the caller would hear an error.
   */
  async voice(channel: ResolvedChannel, params: TwilioParams, raw: Buffer): Promise<string> {
    const callSid = one(params, 'CallSid');
    if (!callSid || !/^CA[0-9a-zA-Z]{10,}$/.test(callSid)) throw badRequest('CallSid manquant ou invalide');
    // The town left the platform: the caller is told, nothing is filed, no voicemail recorded.
    if (channel.organizationArchived) return goodbyeTwiml(ARCHIVED_TOWN_CALL);
    const config = channel.config as { forwardTo?: string; voicemailGreeting?: string };
    await this.inbox.store({
      channelId: channel.id,
      kind: INBOX.voice,
      dedupeKey: `voice:${callSid}`,
      // A call's steps (voice, then voice-status) are processed in the order they came.
      orderKey: `call:${callSid}`,
      payload: raw.toString('utf8'),
    });
    return incomingCallTwiml({
      forwardTo: config.forwardTo,
      actionUrl: this.actionUrl(channel),
      greeting: config.voicemailGreeting,
      dialTimeoutSeconds: 20,
    });
  }

  /** A stored incoming call: filed and popped up. */
  private async processVoice(row: InboxRow): Promise<void> {
    const stored = await this.stored(row);
    if (!stored) return;
    const { channel, params } = stored;
    const callSid = one(params, 'CallSid')!;
    const config = channel.config as { phoneNumber?: string };
    try {
      await this.calls.incoming(
        channel,
        {
          externalId: callSid,
          from: one(params, 'From') ?? '',
          to: one(params, 'To') ?? config.phoneNumber ?? '',
          at: row.received_at,
          provider: 'twilio',
        },
        {},
      );
    } catch (e) {
      // A hidden number cannot be filed nor called back; the call itself still went through.
      if (!(e instanceof InvalidIdentityError)) throw e;
      this.logger.log(`appel ${callSid} d'un numéro masqué ou invalide : non enregistré`);
    }
  }

  /**
   * Call progress: the `<Dial>` outcome (answered, or nobody answered: voicemail TwiML), the
   * `<Record>` outcome (a voicemail), and the call's status callback when it ends. The answer
   * depends on the posted fields only: the step is stored (once per call and step) and answered,
   * `processVoiceStatus` records it right after, behind the call's own row.
   */
  async voiceStatus(channel: ResolvedChannel, params: TwilioParams, raw: Buffer): Promise<string> {
    const callSid = one(params, 'CallSid');
    if (!callSid) throw badRequest('CallSid manquant');
    if (channel.organizationArchived) return goodbyeTwiml();
    const config = channel.config as { voicemailGreeting?: string };
    const step = this.callStep(params);
    if (step)
      await this.inbox.store({
        channelId: channel.id,
        kind: INBOX.voiceStatus,
        dedupeKey: `voice-status:${callSid}:${step}`,
        orderKey: `call:${callSid}`,
        payload: raw.toString('utf8'),
      });
    if (one(params, 'RecordingUrl')) return goodbyeTwiml('Merci, votre message a bien été enregistré. Au revoir.');
    const dialStatus = one(params, 'DialCallStatus');
    if (dialStatus === 'completed' || dialStatus === 'answered') return goodbyeTwiml();
    if (dialStatus) return voicemailTwiml({ greeting: config.voicemailGreeting, actionUrl: this.actionUrl(channel) });
    return emptyTwiml();
  }

  /**
   * Which step of a call these fields tell (null: none to record). The caller's own leg is
   * "in-progress" as soon as Twilio runs the TwiML: only the <Dial> outcome says whether someone
   * answered. A call that ends still ringing was missed.
   */
  private callStep(params: TwilioParams): string | null {
    const recordingUrl = one(params, 'RecordingUrl');
    if (recordingUrl) return `recording:${one(params, 'RecordingSid') ?? recordingUrl}`;
    const dialStatus = one(params, 'DialCallStatus');
    if (dialStatus) return `dial:${dialStatus}`;
    const callStatus = one(params, 'CallStatus');
    return callStatus && ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(callStatus)
      ? `end:${callStatus}`
      : null;
  }

  /** A stored step of a call, recorded on the call's message. */
  private async processVoiceStatus(row: InboxRow): Promise<void> {
    const stored = await this.stored(row);
    if (!stored) return;
    const { channel, params } = stored;
    const callSid = one(params, 'CallSid')!;
    const recordingUrl = one(params, 'RecordingUrl');
    const dialStatus = one(params, 'DialCallStatus');
    if (recordingUrl) {
      const done = await this.calls.complete(channel.id, callSid, {
        outcome: 'voicemail',
        durationSeconds: seconds(one(params, 'RecordingDuration')),
        recordingUrl,
      });
      // Twilio serves a recording as WAV without extension, MP3 with `.mp3`.
      if (done)
        await this.calls.fetchRecording(
          channel,
          done.messageId,
          /\.(mp3|wav)$/i.test(recordingUrl) ? recordingUrl : `${recordingUrl}.mp3`,
        );
    } else if (dialStatus === 'completed' || dialStatus === 'answered') {
      await this.calls.complete(channel.id, callSid, {
        outcome: 'answered',
        ended: true,
        durationSeconds: seconds(one(params, 'DialCallDuration')),
      });
    } else if (dialStatus) {
      await this.calls.complete(channel.id, callSid, { outcome: 'missed' });
    } else {
      await this.calls.complete(channel.id, callSid, { ended: true, durationSeconds: seconds(one(params, 'CallDuration')) });
    }
  }
}
