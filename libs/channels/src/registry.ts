import type { ChannelKind } from '@guichet/contracts';
import { NotYetAvailableAdapter, type ChannelAdapter } from './adapter';
import { webformAdapter } from './webform.adapter';
import { letterAdapter } from './letter.adapter';
import { emailAdapter } from './email/email.adapter';
import { smsAdapter, whatsappAdapter } from './twilio/twilio-messaging.adapter';
import { instagramAdapter, messengerAdapter } from './meta/meta.adapter';

/** The exhaustive map from channel kind to adapter: a new kind does not compile until it is here. */
export const ADAPTERS: Record<ChannelKind, ChannelAdapter> = {
  webform: webformAdapter,
  email: emailAdapter,
  sms: smsAdapter,
  whatsapp: whatsappAdapter,
  voice: new NotYetAvailableAdapter('voice', 'téléphone'),
  pbx: new NotYetAvailableAdapter('pbx', 'standard téléphonique'),
  messenger: messengerAdapter,
  instagram: instagramAdapter,
  letter: letterAdapter,
};

export function adapterFor(kind: ChannelKind): ChannelAdapter {
  return ADAPTERS[kind];
}
