import { CHANNEL_CAPABILITIES, smsSegments, type ChannelKind } from '@guichet/contracts';
import type { TFunction } from 'i18next';

export interface LengthHint {
  testId: 'sms-segments' | 'length-counter';
  text: string;
  /** Said when the body is longer than one message of this channel holds. */
  tooLong: string | null;
}

/** What the length of a body means on a channel, from its capabilities: SMS segments, or characters against its maximum. */
export function lengthHint(t: TFunction, kind: ChannelKind | null, body: string): LengthHint | null {
  if (!kind || !body) return null;
  const { smsSegments: billedInSegments, maxLength } = CHANNEL_CAPABILITIES[kind];
  const tooLong = maxLength !== null && body.length > maxLength ? t('composer.tooLong', { max: maxLength }) : null;
  if (billedInSegments) {
    const s = smsSegments(body);
    return {
      testId: 'sms-segments',
      text: t('composer.smsSegments', { count: s.segments, left: s.charactersLeft, encoding: s.encoding }),
      tooLong,
    };
  }
  if (maxLength !== null)
    return { testId: 'length-counter', text: t('composer.length', { used: body.length, max: maxLength }), tooLong };
  return null;
}
