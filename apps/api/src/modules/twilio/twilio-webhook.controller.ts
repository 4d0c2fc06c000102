import { Controller, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { TwilioParams } from '@guichet/channels';
import type { Request } from 'express';
import { Public } from '../../common/auth-agent';
import { TwilioWebhookService } from './twilio-webhook.service';

const params = (req: Request): TwilioParams => (req.body && typeof req.body === 'object' ? (req.body as TwilioParams) : {});
const signature = (req: Request) => req.header('x-twilio-signature') ?? undefined;

/** Twilio's form-encoded webhooks; every route verifies `X-Twilio-Signature` first. */
@ApiExcludeController()
@Public()
@Controller('webhooks/twilio/:channelId')
export class TwilioWebhookController {
  constructor(private readonly twilio: TwilioWebhookService) {}

  @Post('sms')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async sms(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const channel = await this.twilio.verified(channelId, ['sms', 'whatsapp'], req.originalUrl, signature(req), params(req));
    return this.twilio.message(channel, params(req));
  }

  @Post('status')
  @HttpCode(204)
  async status(@Param('channelId') channelId: string, @Req() req: Request): Promise<void> {
    const channel = await this.twilio.verified(channelId, ['sms', 'whatsapp'], req.originalUrl, signature(req), params(req));
    await this.twilio.status(channel, params(req));
  }

  @Post('voice')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voice(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const channel = await this.twilio.verified(channelId, ['voice'], req.originalUrl, signature(req), params(req));
    return this.twilio.voice(channel, params(req));
  }

  @Post('voice-status')
  @HttpCode(200)
  @Header('content-type', 'text/xml; charset=utf-8')
  async voiceStatus(@Param('channelId') channelId: string, @Req() req: Request): Promise<string> {
    const channel = await this.twilio.verified(channelId, ['voice'], req.originalUrl, signature(req), params(req));
    return this.twilio.voiceStatus(channel, params(req));
  }
}
