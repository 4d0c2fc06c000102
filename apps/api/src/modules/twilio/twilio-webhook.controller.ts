import { Controller, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { TwilioParams } from '@guichet/channels';
import type { ChannelKind } from '@guichet/contracts';
import type { Request } from 'express';
import { Public } from '../../common/auth-agent';
import { readWebhookBody } from '../../common/webhook-body';
import type { ResolvedChannel } from '../channels/channel.service';
import { TwilioWebhookService } from './twilio-webhook.service';

/** Twilio's form-encoded webhooks; every route verifies `X-Twilio-Signature` before reading a field. */
@ApiExcludeController()
@Public()
@Controller('webhooks/twilio/:channelId')
export class TwilioWebhookController {
  constructor(private readonly twilio: TwilioWebhookService) {}

  /** The channel first (404), then the body within Twilio's limit (413), then the signature (403). */
  private async verified(channelId: string, kinds: ChannelKind[], req: Request): Promise<{ channel: ResolvedChannel; params: TwilioParams }> {
    const channel = await this.twilio.channel(channelId, kinds);
    const raw = await readWebhookBody(req, 'twilio');
    return { channel, params: this.twilio.verify(channel, req.originalUrl, req.header('x-twilio-signature') ?? undefined, raw) };
  }

  @Post('sms')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async sms(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params } = await this.verified(channelId, ['sms', 'whatsapp'], req);
    return this.twilio.message(channel, params);
  }

  @Post('status')
  @HttpCode(204)
  async status(@Param('channelId') channelId: string, @Req() req: Request): Promise<void> {
    const { channel, params } = await this.verified(channelId, ['sms', 'whatsapp'], req);
    await this.twilio.status(channel, params);
  }

  @Post('voice')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voice(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params } = await this.verified(channelId, ['voice'], req);
    return this.twilio.voice(channel, params);
  }

  @Post('voice-status')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voiceStatus(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const { channel, params } = await this.verified(channelId, ['voice'], req);
    return this.twilio.voiceStatus(channel, params);
  }
}
