import type { ChannelKind } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';
import { CHANNEL_ICONS, channelLabel } from '../lib/labels';

export function ChannelTag({ channel }: { channel: ChannelKind | null }) {
  const { t } = useTranslation();
  const label = channelLabel(t, channel);
  return (
    <span className="channel-tag" role="img" aria-label={t('channel.via', { channel: label })} title={label}>
      <span className="channel-tag__icon">{channel ? CHANNEL_ICONS[channel] : '❔'}</span>
      <span className="channel-tag__label">{label}</span>
    </span>
  );
}
