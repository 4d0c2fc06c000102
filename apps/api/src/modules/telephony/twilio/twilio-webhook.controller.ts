import { Controller, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { TwilioParams } from '@guichet/channels';
import type { ChannelKind } from '@guichet/contracts';
import type { Request } from 'express';
import { Public } from '../../../common/auth-agent';
import { readWebhookBody } from '../../../common/webhook-body';
import { ApiWebhook } from '../../../common/webhook-docs';
import type { ResolvedChannel } from '../../channels/channel.service';
import { TwilioWebhookService } from './twilio-webhook.service';

/** The form Twilio posts: the fields Guichet reads (Twilio sends others, all covered by the signature). */
const form = (description: string, required: string[], fields: Record<string, string>) => ({
  type: 'object',
  description,
  required,
  properties: Object.fromEntries(Object.entries(fields).map(([name, d]) => [name, { type: 'string', description: d }])),
});
const MESSAGE_FIELDS = { MessageSid: 'identifiant du message (SM…, MM…)', AccountSid: 'compte Twilio (AC…)' };
const CALL_FIELDS = { CallSid: 'identifiant de l’appel (CA…)', AccountSid: 'compte Twilio (AC…)' };

/** Twilio's form-encoded webhooks; every route verifies `X-Twilio-Signature` before reading a field. */
@ApiTags('webhooks')
@Public()
@Controller('webhooks/twilio/:channelId')
export class TwilioWebhookController {
  constructor(private readonly twilio: TwilioWebhookService) {}

  /** The channel first (404), then the body within Twilio's limit (413), then the signature (403). */
  private async verified(
    channelId: string,
    kinds: ChannelKind[],
    req: Request,
  ): Promise<{ channel: ResolvedChannel; params: TwilioParams; raw: Buffer }> {
    const channel = await this.twilio.channel(channelId, kinds);
    const raw = await readWebhookBody(req, 'twilio');
    const params = this.twilio.verify(channel, req.originalUrl, req.header('x-twilio-signature') ?? undefined, raw);
    return { channel, params, raw };
  }

  @Post('sms')
  @ApiWebhook({
    provider: 'twilio',
    summary: 'SMS, MMS ou message WhatsApp reçu (Twilio)',
    body: form('Message entrant', ['MessageSid', 'From'], {
      ...MESSAGE_FIELDS,
      From: 'expéditeur (E.164, ou whatsapp:+33…)',
      To: 'numéro du canal',
      Body: 'texte (1 600 caractères au plus)',
      NumMedia: 'nombre de pièces jointes (0 à 10)',
      MediaUrl0: 'adresse de la pièce jointe n° 0 (et MediaUrl1…MediaUrl9)',
      MediaContentType0: 'type de la pièce jointe n° 0 (et MediaContentType1…9)',
      ProfileName: 'nom du profil WhatsApp',
    }),
    status: 200,
    answer:
      'TwiML vide (text/xml), dès la notification enregistrée (le message est classé juste après). Un même MessageSid n’est enregistré qu’une fois.',
  })
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async sms(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params, raw } = await this.verified(channelId, ['sms', 'whatsapp'], req);
    return this.twilio.message(channel, params, raw);
  }

  @Post('status')
  @ApiWebhook({
    provider: 'twilio',
    summary: 'Statut de remise d’un SMS ou message WhatsApp envoyé (Twilio)',
    body: form('Rappel de statut', ['MessageSid'], {
      ...MESSAGE_FIELDS,
      MessageStatus: 'queued, sent, delivered, undelivered, failed, read…',
      ErrorCode: 'code d’erreur Twilio en cas d’échec',
      ErrorMessage: 'message d’erreur en cas d’échec',
    }),
    status: 204,
    answer: 'Statut pris en compte ; un statut arrivé dans le désordre ne fait jamais reculer un message.',
  })
  @HttpCode(204)
  async status(@Param('channelId') channelId: string, @Req() req: Request): Promise<void> {
    const { channel, params } = await this.verified(channelId, ['sms', 'whatsapp'], req);
    await this.twilio.status(channel, params);
  }

  @Post('voice')
  @ApiWebhook({
    provider: 'twilio',
    summary: 'Appel entrant sur une ligne vocale (Twilio)',
    body: form('Appel entrant', ['CallSid'], {
      ...CALL_FIELDS,
      From: 'numéro de l’appelant (absent ou anonyme si masqué)',
      To: 'numéro de la ligne',
      CallStatus: 'ringing',
    }),
    status: 200,
    answer: 'TwiML (text/xml) qui transfère l’appel ou passe à la messagerie vocale.',
  })
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voice(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params, raw } = await this.verified(channelId, ['voice'], req);
    return this.twilio.voice(channel, params, raw);
  }

  @Post('voice-status')
  @ApiWebhook({
    provider: 'twilio',
    summary: 'Suite d’un appel : issue du transfert, message vocal, fin d’appel (Twilio)',
    body: form('Progression de l’appel', ['CallSid'], {
      ...CALL_FIELDS,
      DialCallStatus: 'issue du transfert (<Dial>) : completed, answered, busy, no-answer, failed',
      DialCallDuration: 'durée de la conversation en secondes',
      RecordingUrl: 'adresse du message vocal (<Record>)',
      RecordingDuration: 'durée du message vocal en secondes',
      CallStatus: 'statut de l’appel : completed, busy, no-answer, failed, canceled',
      CallDuration: 'durée de l’appel en secondes',
    }),
    status: 200,
    answer: 'TwiML (text/xml) : messagerie vocale si personne n’a répondu, sinon fin de l’appel.',
  })
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voiceStatus(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params, raw } = await this.verified(channelId, ['voice'], req);
    return this.twilio.voiceStatus(channel, params, raw);
  }
}
