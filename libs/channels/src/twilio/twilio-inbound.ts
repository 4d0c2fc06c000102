import type { DeliveryStatus, ProviderInboundMessage } from '@guichet/contracts';
import type { TwilioParams } from './twilio-signature';

export class InvalidTwilioPayloadError extends Error {}

export interface TwilioMedia {
  url: string;
  contentType: string;
  fileName: string;
}

const one = (params: TwilioParams, key: string): string | undefined => {
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
};

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
  'text/vcard': 'vcf',
};

/**
 * An inbound SMS, MMS or WhatsApp webhook as a normalized InboundMessage (threaded into the
 * citizen's latest open conversation) and the media to fetch afterwards (`MediaUrl{N}`).
 */
export function twilioMessageToInbound(
  channelId: string,
  params: TwilioParams,
): { inbound: ProviderInboundMessage; media: TwilioMedia[] } {
  const sid = one(params, 'MessageSid') ?? one(params, 'SmsMessageSid') ?? one(params, 'SmsSid');
  const from = one(params, 'From');
  if (!sid || !/^(SM|MM)[0-9a-zA-Z]{10,}$/.test(sid)) throw new InvalidTwilioPayloadError('MessageSid manquant ou invalide');
  if (!from) throw new InvalidTwilioPayloadError('From manquant');
  const whatsapp = /^whatsapp:/i.test(from);
  const value = from.replace(/^whatsapp:/i, '');
  const numMedia = Math.min(Number(one(params, 'NumMedia') ?? 0) || 0, 10);
  const media: TwilioMedia[] = [];
  for (let i = 0; i < numMedia; i++) {
    const url = one(params, `MediaUrl${i}`);
    if (!url) continue;
    const contentType = one(params, `MediaContentType${i}`) ?? 'application/octet-stream';
    media.push({ url, contentType, fileName: `media-${i + 1}.${EXTENSIONS[contentType] ?? 'bin'}` });
  }
  const name = one(params, 'ProfileName')?.trim();
  return {
    inbound: {
      channelId,
      externalId: sid,
      from: { kind: whatsapp ? 'whatsapp' : 'phone', value, ...(name ? { name } : {}) },
      kind: 'message',
      text: one(params, 'Body') ?? '',
      thread: { latestOpen: true },
      meta: {
        twilio: {
          to: one(params, 'To') ?? null,
          numMedia,
          numSegments: one(params, 'NumSegments') ?? null,
          fromCountry: one(params, 'FromCountry') ?? null,
        },
      },
    },
    media,
  };
}

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

/**
 * Twilio's opt-out and opt-in keywords (and the French ARRÊT): the whole message, one word,
 * any case or accent, trailing punctuation ignored.
 */
export function optKeyword(body: string): 'opt-out' | 'opt-in' | null {
  const word = body
    .trim()
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[.!\s]+$/u, '')
    .toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return null;
}

/** Twilio's `MessageStatus` as our delivery status; null for statuses that are not ours to track. */
export function twilioDeliveryStatus(status: string | undefined): DeliveryStatus | null {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}
