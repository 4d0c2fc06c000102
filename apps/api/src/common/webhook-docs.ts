import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { describeSize, WEBHOOK_BODY_LIMITS, type WebhookProvider } from './webhook-body';

const SIGNATURES: Record<WebhookProvider, { header: string; description: string; type: string }> = {
  twilio: {
    header: 'X-Twilio-Signature',
    description:
      'HMAC-SHA1 en base64, clé : le jeton d’authentification (auth token) du compte Twilio du canal, calculée sur l’URL publique exacte appelée suivie de chaque champ du formulaire trié par nom (nom + valeur).',
    type: 'application/x-www-form-urlencoded',
  },
  meta: {
    header: 'X-Hub-Signature-256',
    description:
      '`sha256=` suivi du HMAC-SHA256 en hexadécimal du corps brut exact, clé : le secret de l’application Meta (appSecret) du canal.',
    type: 'application/json',
  },
  pbx: {
    header: 'X-Guichet-Signature',
    description: 'HMAC-SHA256 en hexadécimal du corps brut exact, clé : le secret partagé (sharedSecret) du canal.',
    type: 'application/json',
  },
};

/**
 * OpenAPI description of a webhook route: the provider's body, its size limit and its signature
 * header, and the refusals every webhook gives (readWebhookBody and the signature check).
 */
export function ApiWebhook(o: { provider: WebhookProvider; summary: string; body: object; status: number; answer: string }) {
  const signature = SIGNATURES[o.provider];
  const limit = describeSize(WEBHOOK_BODY_LIMITS[o.provider]);
  return applyDecorators(
    ApiOperation({
      summary: o.summary,
      description:
        `Appelé par le fournisseur, sans session. Le canal est cherché d’abord (404), puis le corps est lu tel quel ` +
        `(${limit} au maximum, 413 au-delà), puis la signature ${signature.header} est vérifiée (403 : rien n’est enregistré) ; ` +
        `le contenu n’est analysé qu’ensuite.`,
    }),
    ApiParam({
      name: 'channelId',
      description: 'Identifiant (UUID) du canal, tel que configuré chez le fournisseur.',
      schema: { type: 'string', format: 'uuid' },
    }),
    ApiHeader({ name: signature.header, required: true, description: signature.description }),
    ApiConsumes(signature.type),
    ApiBody({ schema: o.body }),
    ApiResponse({ status: o.status, description: o.answer }),
    ApiResponse({ status: 400, description: 'Contenu signé mais invalide (détail en français).' }),
    ApiResponse({ status: 403, description: 'Signature absente ou invalide.' }),
    ApiResponse({ status: 404, description: 'Canal inconnu, d’un autre type ou désactivé.' }),
    ApiResponse({ status: 413, description: `Corps de plus de ${limit}.` }),
  );
}
