import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { verifyPbxSignature } from '@guichet/channels';
import { pbxCallEventSchema } from '@guichet/contracts';
import { z } from 'zod';
import type { Request } from 'express';
import { Public } from '../../../common/auth-agent';
import { forbidden, notFound, organizationClosed } from '../../../common/errors';
import { readWebhookBody, parseWebhookJson } from '../../../common/webhook-body';
import { ApiWebhook } from '../../../common/webhook-docs';
import { parseOr400 } from '../../../common/zod.pipe';
import { ChannelService } from '../../channels/channel.service';
import { CallService } from '../call.service';

/**
 * Any switchboard (3CX, Alcatel, Asterisk…) posts its call events here, signed with the
 * channel's shared secret (README: « Standard téléphonique »).
 */
@ApiTags('webhooks')
@Public()
@Controller('webhooks/calls')
export class PbxWebhookController {
  constructor(
    private readonly channels: ChannelService,
    private readonly calls: CallService,
  ) {}

  @Post(':channelId')
  @HttpCode(202)
  @ApiWebhook({
    provider: 'pbx',
    summary: 'Événement d’appel d’un standard téléphonique (3CX, Alcatel, Asterisk…)',
    body: z.toJSONSchema(pbxCallEventSchema, { io: 'input' }) as object,
    status: 202,
    answer: '`{ stored, messageId?, outcome? }` ; un même callId suit un seul appel (sonnerie, décroché, raccroché).',
  })
  async event(@Param('channelId') channelId: string, @Req() req: Request) {
    const channel = await this.channels.webhookChannel(channelId);
    if (!channel || channel.kind !== 'pbx') throw notFound('canal');
    const raw = await readWebhookBody(req, 'pbx');
    const secret = typeof channel.config.sharedSecret === 'string' ? channel.config.sharedSecret : undefined;
    if (!verifyPbxSignature(secret, req.header('x-guichet-signature') ?? undefined, raw)) {
      throw forbidden('signature X-Guichet-Signature invalide');
    }
    // An archived town's switchboard is told the service is gone (410), nothing stored.
    if (channel.organizationArchived) throw organizationClosed();
    if (!channel.enabled) throw notFound('canal');
    const event = parseOr400(pbxCallEventSchema, parseWebhookJson(raw));
    return this.calls.pbxEvent(channel, event);
  }
}
