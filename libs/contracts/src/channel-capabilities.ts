import { CHANNEL_KINDS, type ChannelKind } from './enums';

/**
 * What a channel kind can do. The web (composer, timeline, new conversation), the API (reply
 * checks, `ChannelDto`) and the adapters read this, never a list of kinds.
 */
export interface ChannelCapabilities {
  /** An agent can answer the citizen in writing on this channel (a phone line cannot). */
  reply: boolean;
  /** An agent can write first, to a citizen who never wrote (`POST /conversations`). */
  startConversation: boolean;
  /** The citizen's messages can carry files. */
  attachmentsIn: boolean;
  /** An agent's reply can carry files. */
  attachmentsOut: boolean;
  /** What files a reply may carry (null when attachmentsOut is false): checked by outboundFilesProblem. */
  outboundFiles: OutboundFileLimits | null;
  /** The most characters one reply holds; null: no limit of the channel's own (the body limit applies). */
  maxLength: number | null;
  /** Replies are billed in SMS segments (GSM-7 / UCS-2): the composer counts them (sms-segments.ts). */
  smsSegments: boolean;
  /** Replies are accepted only within this many hours of the citizen's last message on this kind; null: always. */
  replyWindowHours: number | null;
  /** The provider reports delivery after the send (sent → delivered / failed). */
  deliveryReceipts: boolean;
  /** Public posts' comments enter as conversations: answered in public, or once in private within the window. */
  comments: { publicReply: boolean; privateReplyWindowHours: number } | null;
  /** Messages can be HTML (shown in a sandboxed frame). */
  html: boolean;
  /** Messages have a subject (asked when an agent writes first). */
  subject: boolean;
  /** Short chat messages (bubbles in the timeline). */
  chat: boolean;
  /**
   * Paper mail: a reply is a printable letter an agent prints and posts (never sent by a
   * provider), « à poster » until the agent marks it posted (then « envoyé par courrier »).
   */
  postal: boolean;
}

/** How many files of which types and sizes one reply may carry on a channel kind. */
export interface OutboundFileLimits {
  maxFiles: number;
  maxBytes: number;
  /** Accepted content types (exact, lower-case). */
  types: readonly string[];
}

const MB = 1024 * 1024;
/** Images the browser shows safely (no SVG) and PDF: what the in-app viewer previews. */
export const PREVIEW_TYPES: readonly string[] = ['application/pdf', 'image/jpeg', 'image/png', 'image/gif', 'image/webp'];
/** Documents a town hall sends: PDF, images, plain text, office and OpenDocument files (never executables or HTML). */
export const DOCUMENT_TYPES: readonly string[] = [
  ...PREVIEW_TYPES,
  'text/plain',
  'text/csv',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];
const documents: OutboundFileLimits = { maxFiles: 5, maxBytes: 10 * MB, types: DOCUMENT_TYPES };

const none: ChannelCapabilities = {
  reply: false,
  startConversation: false,
  attachmentsIn: false,
  attachmentsOut: false,
  outboundFiles: null,
  maxLength: null,
  smsSegments: false,
  replyWindowHours: null,
  deliveryReceipts: false,
  comments: null,
  html: false,
  subject: false,
  chat: false,
  postal: false,
};

/** Meta (Send API): a free reply within 24 h, with the HUMAN_AGENT tag up to 7 days; one private reply to a comment within 7 days. */
const meta = {
  ...none,
  reply: true,
  attachmentsIn: true,
  attachmentsOut: true,
  // The Send API takes images, video, audio and files of 25 MB; one attachment per call (meta.adapter sends each).
  outboundFiles: { maxFiles: 5, maxBytes: 10 * MB, types: ['application/pdf', 'image/jpeg', 'image/png', 'image/gif'] },
  // Long replies are split at the Send API's limit (2,000 / 1,000 characters), see splitMetaText.
  replyWindowHours: 7 * 24,
  deliveryReceipts: true,
  comments: { publicReply: true, privateReplyWindowHours: 7 * 24 },
  chat: true,
} satisfies ChannelCapabilities;

/** The one place a channel kind declares what it can do: a new kind does not compile until it is here. */
export const CHANNEL_CAPABILITIES = {
  email: {
    ...none,
    reply: true,
    startConversation: true,
    attachmentsIn: true,
    attachmentsOut: true,
    outboundFiles: documents,
    html: true,
    subject: true,
  },
  // Twilio accepts 1,600 characters per message; the composer shows the segments they cost.
  // No MMS: Twilio sends MMS from US and Canadian numbers only, never from a French one.
  sms: {
    ...none,
    reply: true,
    startConversation: true,
    attachmentsIn: true,
    maxLength: 1600,
    smsSegments: true,
    deliveryReceipts: true,
    chat: true,
  },
  // WhatsApp's customer-service window: free-form replies within 24 h of the citizen's last message.
  whatsapp: {
    ...none,
    reply: true,
    startConversation: true,
    attachmentsIn: true,
    // Twilio's WhatsApp media: one per message (MediaUrl, fetched by Twilio from our signed link), 5 MB for images.
    attachmentsOut: true,
    outboundFiles: { maxFiles: 1, maxBytes: 5 * MB, types: ['application/pdf', 'image/jpeg', 'image/png'] },
    maxLength: 4096,
    replyWindowHours: 24,
    deliveryReceipts: true,
    chat: true,
  },
  // Calls and voicemails (the recording is an attachment); no written reply.
  voice: { ...none, attachmentsIn: true },
  messenger: meta,
  instagram: meta,
  // Answers are read on the citizen's tracking page, with their files.
  webform: { ...none, reply: true, attachmentsIn: true, attachmentsOut: true, outboundFiles: documents, subject: true },
  pbx: none,
  // Letters (courrier papier) registered by an agent with their scan; answered by printed letters.
  letter: { ...none, reply: true, attachmentsIn: true, subject: true, postal: true },
} satisfies Record<ChannelKind, ChannelCapabilities>;

/**
 * A letter of the town hall: a message it wrote (an answer, an acknowledgement, a notice) on a
 * postal channel, which an agent prints, posts and marks posted. What the printable page, « marquer
 * comme posté », the timeline's postal status and the tracking page ask of a message.
 */
export function isTownLetter(m: { direction: string; kind: string; channelKind: ChannelKind | null }): boolean {
  return m.direction === 'outbound' && m.kind === 'message' && !!m.channelKind && CHANNEL_CAPABILITIES[m.channelKind].postal;
}

/** A letter of the town hall not posted yet: only the town hall has it (the citizen's tracking page does not show it). */
export function awaitsPosting(m: {
  direction: string;
  kind: string;
  channelKind: ChannelKind | null;
  postedAt?: string | null;
}): boolean {
  return isTownLetter(m) && !m.postedAt;
}

/** A French reason to refuse a body longer than one message of this kind holds (its maxLength), or null. */
export function tooLongFor(kind: ChannelKind, body: string): string | null {
  const max = CHANNEL_CAPABILITIES[kind].maxLength;
  return max !== null && body.length > max
    ? `message trop long pour ce canal : ${max} caractères au plus (${body.length} écrits)`
    : null;
}

/** The kinds an agent can write first on, in the order of CHANNEL_KINDS. */
export const START_CONVERSATION_KINDS: readonly ChannelKind[] = CHANNEL_KINDS.filter(
  (k) => CHANNEL_CAPABILITIES[k].startConversation,
);

const TYPE_NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'text/plain': 'texte',
  'text/csv': 'CSV',
};
const CHANNEL_NAMES: Record<ChannelKind | 'note', string> = {
  note: 'une note interne',
  email: 'l’e-mail',
  sms: 'le SMS',
  whatsapp: 'WhatsApp',
  voice: 'le téléphone',
  messenger: 'Messenger',
  instagram: 'Instagram',
  webform: 'la page de suivi',
  pbx: 'le standard',
  letter: 'le courrier',
};

const sentenceStart = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The types a limit accepts, in words (« PDF, JPEG, PNG et documents bureautiques »). */
export function acceptedTypesLabel(types: readonly string[]): string {
  const named = [...new Set(types.map((t) => TYPE_NAMES[t]).filter((n): n is string => !!n))];
  if (types.some((t) => !TYPE_NAMES[t])) named.push('documents bureautiques (Word, Excel, OpenDocument)');
  return named.join(', ');
}

/** Bytes in French (« 12,3 Mo »). */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < MB) return `${Math.round(bytes / 1024)} Ko`;
  return `${(bytes / MB).toFixed(1).replace('.', ',').replace(/,0$/, '')} Mo`;
}

/**
 * Why these files cannot go with a reply on this kind of channel (a French sentence for the
 * agent), or null when they can. The composer asks before sending; the API asks again.
 */
export function outboundFilesProblem(
  /** The reply's channel kind, or `note` (an internal note takes the documents an e-mail takes). */
  kind: ChannelKind | 'note',
  files: readonly { fileName: string; contentType: string; size: number }[],
): string | null {
  if (!files.length) return null;
  const limits = kind === 'note' ? documents : CHANNEL_CAPABILITIES[kind].outboundFiles;
  if (!limits)
    return `${sentenceStart(CHANNEL_NAMES[kind])} ne transmet pas de fichier : envoyez-le par e-mail ou sur la page de suivi`;
  if (files.length > limits.maxFiles)
    return limits.maxFiles === 1
      ? `${sentenceStart(CHANNEL_NAMES[kind])} n’accepte qu’un fichier par message`
      : `${limits.maxFiles} fichiers au plus par message sur ${CHANNEL_NAMES[kind]}`;
  for (const f of files) {
    const type = f.contentType.toLowerCase().split(';')[0]!.trim();
    if (!limits.types.includes(type))
      return `« ${f.fileName} » : type de fichier non accepté sur ${CHANNEL_NAMES[kind]} (acceptés : ${acceptedTypesLabel(limits.types)})`;
    if (f.size === 0) return `« ${f.fileName} » est vide`;
    if (f.size > limits.maxBytes)
      return `« ${f.fileName} » pèse ${formatFileSize(f.size)} : ${formatFileSize(limits.maxBytes)} au plus par fichier sur ${CHANNEL_NAMES[kind]}`;
  }
  return null;
}
