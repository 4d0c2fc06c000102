import { Controller, Get, Header, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../common/auth-agent';
import { readWebhookBody } from '../../common/webhook-body';
import { ApiWebhook } from '../../common/webhook-docs';
import { MetaWebhookService } from './meta-webhook.service';

/** What Meta posts: a batch of entries for the page or Instagram account (only the fields Guichet reads). */
const NOTIFICATION = {
  type: 'object',
  required: ['object', 'entry'],
  properties: {
    object: {
      type: 'string',
      enum: ['page', 'instagram'],
      description: '`page` pour Messenger et les commentaires, `instagram` pour Instagram',
    },
    entry: {
      type: 'array',
      maxItems: 1000,
      description: 'jusqu’à 1 000 entrées par envoi',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'identifiant de la page ou du compte Instagram' },
          time: { type: 'integer' },
          messaging: {
            type: 'array',
            items: { type: 'object' },
            description: 'messages, réactions, accusés de remise et de lecture, échos',
          },
          changes: { type: 'array', items: { type: 'object' }, description: 'commentaires des publications (champ `feed`)' },
        },
      },
    },
  },
};

/** Meta's webhook endpoint for one Messenger or Instagram channel (outside /api/v1). */
@ApiTags('webhooks')
@Public()
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(private readonly service: MetaWebhookService) {}

  @Get(':channelId')
  @ApiOperation({
    summary: 'Vérification de l’abonnement aux webhooks Meta',
    description:
      'Renvoie hub.challenge en texte quand hub.mode vaut `subscribe` et hub.verify_token est le jeton de vérification du canal (403 sinon, 404 si le canal est inconnu).',
  })
  @ApiParam({
    name: 'channelId',
    description: 'Identifiant (UUID) du canal Messenger ou Instagram.',
    schema: { type: 'string', format: 'uuid' },
  })
  @ApiQuery({ name: 'hub.mode', required: true, schema: { type: 'string', enum: ['subscribe'] } })
  @ApiQuery({
    name: 'hub.verify_token',
    required: true,
    description: 'le jeton de vérification configuré sur le canal',
    schema: { type: 'string' },
  })
  @ApiQuery({ name: 'hub.challenge', required: true, description: 'renvoyé tel quel', schema: { type: 'string' } })
  @Header('Content-Type', 'text/plain; charset=utf-8')
  handshake(@Param('channelId') channelId: string, @Query() query: Record<string, unknown>): Promise<string> {
    return this.service.handshake(channelId, query);
  }

  @Post(':channelId')
  @HttpCode(200)
  @ApiWebhook({
    provider: 'meta',
    summary: 'Notifications Messenger, Instagram et commentaires de page (Meta)',
    body: NOTIFICATION,
    status: 200,
    answer:
      '`EVENT_RECEIVED` (text/plain) dès la notification enregistrée (ses événements sont traités juste après, une fois par mid) ; 503 avec Retry-After quand trop de notifications attendent.',
  })
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async receive(
    @Param('channelId') channelId: string,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Req() req: Request,
  ): Promise<string> {
    const channel = await this.service.channel(channelId);
    await this.service.receive(channel, await readWebhookBody(req, 'meta'), signature);
    return 'EVENT_RECEIVED';
  }
}
