import type { ChannelKind, ChannelWebhookDto } from '@guichet/contracts';

/**
 * The webhook addresses an administrator pastes at the provider for one channel: the routes of
 * telephony/twilio, telephony/pbx and meta (mounted outside /api/v1).
 */
export function channelWebhooks(publicUrl: string, kind: ChannelKind, id: string): ChannelWebhookDto[] {
  const twilio = (path: string) => `${publicUrl}/webhooks/twilio/${id}/${path}`;
  switch (kind) {
    case 'sms':
    case 'whatsapp':
      return [{ label: 'Un message arrive (Twilio, « A message comes in »)', url: twilio('sms') }];
    case 'voice':
      return [
        { label: 'Un appel arrive (Twilio, « A call comes in »)', url: twilio('voice') },
        { label: 'Statut de l’appel (Twilio, « Call status changes »)', url: twilio('voice-status') },
      ];
    case 'messenger':
    case 'instagram':
      return [{ label: 'URL de rappel du webhook (Meta, « Callback URL »)', url: `${publicUrl}/webhooks/meta/${id}` }];
    case 'pbx':
      return [{ label: 'Notifications d’appels du standard', url: `${publicUrl}/webhooks/calls/${id}` }];
    case 'email':
    case 'webform':
    case 'letter':
      return [];
  }
}
