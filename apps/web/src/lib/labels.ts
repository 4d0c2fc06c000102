import type { ChannelKind, ContactSummaryDto } from '@guichet/contracts';
import type { TFunction } from 'i18next';

export const CHANNEL_ICONS: Record<ChannelKind, string> = {
  email: '✉️',
  sms: '💬',
  whatsapp: '📲',
  voice: '📞',
  messenger: '💭',
  instagram: '📷',
  webform: '📝',
  pbx: '☎️',
  letter: '📮',
};

export function channelLabel(t: TFunction, channel: ChannelKind | null): string {
  return channel ? t(`channel.${channel}`) : t('channel.unknown');
}

export function contactName(t: TFunction, contact: ContactSummaryDto): string {
  return contact.name?.trim() || t('contact.anonymous');
}
