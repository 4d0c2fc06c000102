import { Controller, Get, Header, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../common/auth-agent';
import { readWebhookBody } from '../../common/webhook-body';
import { MetaWebhookService } from './meta-webhook.service';

/** Meta's webhook endpoint for one Messenger or Instagram channel (outside /api/v1). */
@ApiExcludeController()
@Public()
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(private readonly service: MetaWebhookService) {}

  @Get(':channelId')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  handshake(@Param('channelId') channelId: string, @Query() query: Record<string, unknown>): Promise<string> {
    return this.service.handshake(channelId, query);
  }

  @Post(':channelId')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(@Param('channelId') channelId: string, @Headers('x-hub-signature-256') signature: string | undefined, @Req() req: Request): Promise<string> {
    const channel = await this.service.channel(channelId);
    await this.service.receive(channel, await readWebhookBody(req, 'meta'), signature);
    return 'EVENT_RECEIVED';
  }
}
