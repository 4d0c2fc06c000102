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
import { DeliveryStatusService } from '../../outbound/delivery-status.service';
import { CallService } from '../call.service';
import { TelephonyQueue } from '../telephony-queue';

const one = (p: TwilioParams, k: string) => {
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
};
const seconds = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

/**
 * Twilio's webhooks: every request is checked against the channel's auth token over the exact
 * public URL before anything is read or stored; then messages go through the ingest service,
 * status callbacks through the delivery status service, calls through the call service.
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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

  /** Inbound SMS, MMS or WhatsApp: stored once per MessageSid, media fetched on the job queue. */
  async message(channel: ResolvedChannel, params: TwilioParams): Promise<string> {
    if (channel.organizationArchived) {
      // The town left the platform: nothing stored (Twilio keeps the message in the town's account).
      this.logger.log(`SMS ${one(params, 'MessageSid') ?? '?'} pour une commune archivée : non enregistré`);
      return emptyTwiml();
    }
    let parsed: ReturnType<typeof twilioMessageToInbound>;
    let value: string;
    try {
      parsed = twilioMessageToInbound(channel.id, params);
      value = normalizeIdentity(parsed.inbound.from.kind, parsed.inbound.from.value);
    } catch (e) {
      if (e instanceof InvalidTwilioPayloadError || e instanceof InvalidIdentityError) throw badRequest(e.message);
      throw e;
    }
    const result = await this.ingest.ingest(parsed.inbound);
    if (result.created && parsed.media.length) {
      await this.queue.sendMedia({
        organizationId: channel.organizationId,
        channelId: channel.id,
        messageId: result.messageId,
        items: parsed.media,
      });
    }
    const keyword = optKeyword(parsed.inbound.text);
    if (keyword) await this.contacts.setOptedOut(channel.organizationId, parsed.inbound.from.kind, value, keyword === 'opt-out');
    return emptyTwiml();
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

  /** An incoming call: stored and popped up, then forwarded (or straight to voicemail). */
  async voice(channel: ResolvedChannel, params: TwilioParams): Promise<string> {
    const callSid = one(params, 'CallSid');
    if (!callSid || !/^CA[0-9a-zA-Z]{10,}$/.test(callSid)) throw badRequest('CallSid manquant ou invalide');
    // The town left the platform: the caller is told, nothing is filed, no voicemail recorded.
    if (channel.organizationArchived) return goodbyeTwiml(ARCHIVED_TOWN_CALL);
    const config = channel.config as { forwardTo?: string; voicemailGreeting?: string; phoneNumber?: string };
    try {
      await this.calls.incoming(
        channel,
        {
          externalId: callSid,
          from: one(params, 'From') ?? '',
          to: one(params, 'To') ?? config.phoneNumber ?? '',
          at: new Date(),
          provider: 'twilio',
        },
        {},
      );
    } catch (e) {
      // A hidden number cannot be filed nor called back; the call itself still goes through.
      if (!(e instanceof InvalidIdentityError)) throw e;
      this.logger.log(`appel ${callSid} d'un numéro masqué ou invalide : non enregistré`);
    }
    return incomingCallTwiml({
      forwardTo: config.forwardTo,
      actionUrl: this.actionUrl(channel),
      greeting: config.voicemailGreeting,
      dialTimeoutSeconds: 20,
    });
  }

  /**
   * Call progress: the `<Dial>` outcome (answered, or nobody answered: voicemail TwiML), the
   * `<Record>` outcome (a voicemail), and the call's status callback when it ends.
   */
  async voiceStatus(channel: ResolvedChannel, params: TwilioParams): Promise<string> {
    const callSid = one(params, 'CallSid');
    if (!callSid) throw badRequest('CallSid manquant');
    if (channel.organizationArchived) return goodbyeTwiml();
    const config = channel.config as { voicemailGreeting?: string };
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
      return goodbyeTwiml('Merci, votre message a bien été enregistré. Au revoir.');
    }
    if (dialStatus) {
      if (dialStatus === 'completed' || dialStatus === 'answered') {
        await this.calls.complete(channel.id, callSid, {
          outcome: 'answered',
          ended: true,
          durationSeconds: seconds(one(params, 'DialCallDuration')),
        });
        return goodbyeTwiml();
      }
      await this.calls.complete(channel.id, callSid, { outcome: 'missed' });
      return voicemailTwiml({ greeting: config.voicemailGreeting, actionUrl: this.actionUrl(channel) });
    }
    // The caller's own leg is "in-progress" as soon as Twilio runs the TwiML: only the <Dial>
    // outcome says whether someone answered. A call that ends still ringing was missed.
    const callStatus = one(params, 'CallStatus');
    if (callStatus && ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(callStatus)) {
      await this.calls.complete(channel.id, callSid, { ended: true, durationSeconds: seconds(one(params, 'CallDuration')) });
    }
    return emptyTwiml();
  }
}
