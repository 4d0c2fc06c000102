import type { ChannelKind } from '@guichet/contracts';
import { NotYetAvailableAdapter, type ChannelAdapter } from './adapter';
import { webformAdapter } from './webform.adapter';

/** The exhaustive map from channel kind to adapter: a new kind does not compile until it is here. */
export const ADAPTERS: Record<ChannelKind, ChannelAdapter> = {
  webform: webformAdapter,
  email: new NotYetAvailableAdapter('email', { threads: true, html: true, attachments: true, window24h: false, replies: true }, 'e-mail'),
  sms: new NotYetAvailableAdapter('sms', { threads: false, html: false, attachments: false, window24h: false, maxChars: 1600, replies: true }, 'SMS'),
  whatsapp: new NotYetAvailableAdapter('whatsapp', { threads: false, html: false, attachments: true, window24h: true, replies: true }, 'WhatsApp'),
  voice: new NotYetAvailableAdapter('voice', { threads: false, html: false, attachments: false, window24h: false, replies: false }, 'téléphone'),
  pbx: new NotYetAvailableAdapter('pbx', { threads: false, html: false, attachments: false, window24h: false, replies: false }, 'standard téléphonique'),
  messenger: new NotYetAvailableAdapter('messenger', { threads: false, html: false, attachments: true, window24h: true, replies: true }, 'Messenger'),
  instagram: new NotYetAvailableAdapter('instagram', { threads: false, html: false, attachments: true, window24h: true, replies: true }, 'Instagram'),
};

export function adapterFor(kind: ChannelKind): ChannelAdapter {
  return ADAPTERS[kind];
}
