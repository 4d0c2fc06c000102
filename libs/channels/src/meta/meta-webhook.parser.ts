/**
 * Parses Meta webhook notifications (Messenger Platform, Instagram Messaging, Page feed) into
 * typed events. The body must already be authenticated (X-Hub-Signature-256).
 * Formats: https://developers.facebook.com/docs/messenger-platform/webhooks,
 * https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
 */

export type MetaObject = 'page' | 'instagram';

export type MetaAttachmentType = 'image' | 'video' | 'audio' | 'file' | 'share' | 'sticker' | 'location' | 'fallback' | 'other';

export interface MetaAttachmentRef {
  type: MetaAttachmentType;
  /** CDN URL to download (image, video, audio, file) or the shared link. */
  url: string | null;
  title?: string;
  stickerId?: number;
}

interface Base {
  /** entry.id: the page id or the Instagram account id the notification is for. */
  accountId: string;
  timestamp: Date;
}

export interface MetaMessageEvent extends Base {
  type: 'message';
  senderId: string;
  recipientId: string;
  mid: string;
  text: string;
  attachments: MetaAttachmentRef[];
  quickReplyPayload?: string;
  replyToMid?: string;
}

export interface MetaEchoEvent extends Base {
  type: 'echo';
  /** The citizen the page wrote to. */
  recipientId: string;
  mid: string;
  text: string;
  attachments: MetaAttachmentRef[];
  appId?: string;
  /** The `message.metadata` we set on our own sends. */
  metadata?: string;
}

export interface MetaPostbackEvent extends Base {
  type: 'postback';
  senderId: string;
  mid: string;
  title: string;
  payload?: string;
}

export interface MetaReactionEvent extends Base {
  type: 'reaction';
  senderId: string;
  mid: string;
  action: 'react' | 'unreact';
  emoji?: string;
  reaction?: string;
}

export interface MetaDeliveryEvent extends Base {
  type: 'delivery';
  senderId: string;
  mids: string[];
  watermark: Date | null;
}

export interface MetaReadEvent extends Base {
  type: 'read';
  senderId: string;
  watermark: Date | null;
  mid?: string;
}

export interface MetaCommentEvent extends Base {
  type: 'comment';
  verb: string;
  commentId: string;
  postId: string;
  parentId?: string;
  fromId: string;
  fromName?: string;
  text: string;
  permalink?: string;
  photoUrl?: string;
}

export type MetaEvent =
  MetaMessageEvent | MetaEchoEvent | MetaPostbackEvent | MetaReactionEvent | MetaDeliveryEvent | MetaReadEvent | MetaCommentEvent;

export interface ParsedMetaWebhook {
  object: MetaObject;
  events: MetaEvent[];
  /** Notifications we do not handle (other feed items, optins…), described for the log. */
  skipped: string[];
}

export class MetaPayloadError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
const ms = (v: unknown): Date | null => (typeof v === 'number' && Number.isFinite(v) ? new Date(v) : null);
const seconds = (v: unknown): Date | null =>
  typeof v === 'number' && Number.isFinite(v)
    ? new Date(v * 1000)
    : typeof v === 'string' && !Number.isNaN(Date.parse(v))
      ? new Date(v)
      : null;

const KNOWN: MetaAttachmentType[] = ['image', 'video', 'audio', 'file', 'share', 'location', 'fallback'];

function attachments(list: unknown): MetaAttachmentRef[] {
  if (!Array.isArray(list)) return [];
  const out: MetaAttachmentRef[] = [];
  for (const a of list) {
    if (!isObj(a)) continue;
    const payload = isObj(a.payload) ? a.payload : {};
    const raw = str(a.type) ?? 'other';
    const stickerId = typeof payload.sticker_id === 'number' ? payload.sticker_id : undefined;
    const type: MetaAttachmentType =
      stickerId !== undefined
        ? 'sticker'
        : KNOWN.includes(raw as MetaAttachmentType)
          ? (raw as MetaAttachmentType)
          : raw === 'ig_reel' || raw === 'reel' || raw === 'story_mention'
            ? 'share'
            : 'other';
    out.push({ type, url: str(payload.url) ?? str(a.url) ?? null, title: str(payload.title) ?? str(a.title), stickerId });
  }
  return out.slice(0, 20);
}

function messaging(accountId: string, e: Obj, skipped: string[]): MetaEvent | null {
  const senderId = isObj(e.sender) ? str(e.sender.id) : undefined;
  const recipientId = isObj(e.recipient) ? str(e.recipient.id) : undefined;
  const timestamp = ms(e.timestamp) ?? new Date();
  if (isObj(e.message)) {
    const m = e.message;
    const mid = str(m.mid);
    if (!mid || !senderId || !recipientId) throw new MetaPayloadError('message sans mid, expéditeur ou destinataire');
    const text = typeof m.text === 'string' ? m.text : '';
    if (m.is_echo === true) {
      return {
        type: 'echo',
        accountId,
        timestamp,
        recipientId,
        mid,
        text,
        attachments: attachments(m.attachments),
        appId: str(m.app_id),
        metadata: str(m.metadata),
      };
    }
    if (m.is_deleted === true || m.is_unsupported === true) {
      skipped.push(`message ${mid} ${m.is_deleted ? 'supprimé' : 'non pris en charge'}`);
      return null;
    }
    return {
      type: 'message',
      accountId,
      timestamp,
      senderId,
      recipientId,
      mid,
      text,
      attachments: attachments(m.attachments),
      quickReplyPayload: isObj(m.quick_reply) ? str(m.quick_reply.payload) : undefined,
      replyToMid: isObj(m.reply_to) ? str(m.reply_to.mid) : undefined,
    };
  }
  if (!senderId) throw new MetaPayloadError('événement sans expéditeur');
  if (isObj(e.postback)) {
    const p = e.postback;
    const mid = str(p.mid) ?? `postback:${senderId}:${timestamp.getTime()}`;
    return { type: 'postback', accountId, timestamp, senderId, mid, title: str(p.title) ?? '', payload: str(p.payload) };
  }
  if (isObj(e.reaction)) {
    const r = e.reaction;
    const mid = str(r.mid);
    if (!mid) throw new MetaPayloadError('réaction sans mid');
    return {
      type: 'reaction',
      accountId,
      timestamp,
      senderId,
      mid,
      action: r.action === 'unreact' ? 'unreact' : 'react',
      emoji: str(r.emoji),
      reaction: str(r.reaction),
    };
  }
  if (isObj(e.delivery)) {
    const d = e.delivery;
    const mids = Array.isArray(d.mids) ? d.mids.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [];
    return { type: 'delivery', accountId, timestamp, senderId, mids, watermark: ms(d.watermark) };
  }
  if (isObj(e.read)) {
    const r = e.read;
    return { type: 'read', accountId, timestamp, senderId, watermark: ms(r.watermark), mid: str(r.mid) };
  }
  skipped.push(
    `événement messaging non pris en charge (${Object.keys(e)
      .filter((k) => !['sender', 'recipient', 'timestamp'].includes(k))
      .join(', ')})`,
  );
  return null;
}

function change(object: MetaObject, accountId: string, entryTime: Date, c: Obj, skipped: string[]): MetaEvent | null {
  const field = str(c.field);
  const v = isObj(c.value) ? c.value : null;
  if (!v) {
    skipped.push(`changement ${field ?? '?'} sans valeur`);
    return null;
  }
  if (object === 'page' && field === 'feed') {
    if (v.item !== 'comment') {
      skipped.push(`feed: ${str(v.item) ?? '?'} ${str(v.verb) ?? ''}`.trim());
      return null;
    }
    const from = isObj(v.from) ? v.from : {};
    const post = isObj(v.post) ? v.post : {};
    const commentId = str(v.comment_id);
    const postId = str(v.post_id) ?? str(post.id);
    const fromId = str(from.id);
    const verb = str(v.verb) ?? 'add';
    if (!commentId || !postId || (!fromId && verb === 'add'))
      throw new MetaPayloadError('commentaire sans comment_id, post_id ou auteur');
    const parentId = str(v.parent_id);
    return {
      type: 'comment',
      accountId,
      timestamp: seconds(v.created_time) ?? entryTime,
      verb,
      commentId,
      postId,
      parentId: parentId && parentId !== postId ? parentId : undefined,
      fromId: fromId ?? '',
      fromName: str(from.name),
      text: typeof v.message === 'string' ? v.message : '',
      permalink: str(post.permalink_url) ?? str(v.permalink_url),
      photoUrl: str(v.photo),
    };
  }
  if (object === 'instagram' && (field === 'comments' || field === 'live_comments')) {
    const from = isObj(v.from) ? v.from : {};
    const media = isObj(v.media) ? v.media : {};
    const commentId = str(v.id);
    const postId = str(media.id);
    const fromId = str(from.id);
    if (!commentId || !postId || !fromId) throw new MetaPayloadError('commentaire Instagram sans id, média ou auteur');
    return {
      type: 'comment',
      accountId,
      timestamp: entryTime,
      verb: 'add',
      commentId,
      postId,
      parentId: str(v.parent_id),
      fromId,
      fromName: str(from.username),
      text: typeof v.text === 'string' ? v.text : '',
    };
  }
  skipped.push(`changement ${field ?? '?'} non pris en charge`);
  return null;
}

/** Throws MetaPayloadError for a body that is not a Meta notification at all. */
export function parseMetaWebhook(body: unknown): ParsedMetaWebhook {
  if (!isObj(body)) throw new MetaPayloadError('corps JSON attendu');
  const object = body.object;
  if (object !== 'page' && object !== 'instagram') throw new MetaPayloadError(`objet non pris en charge : ${String(object)}`);
  if (!Array.isArray(body.entry)) throw new MetaPayloadError('entry manquant');
  const events: MetaEvent[] = [];
  const skipped: string[] = [];
  for (const entry of body.entry) {
    if (!isObj(entry)) throw new MetaPayloadError('entrée invalide');
    const accountId = str(entry.id);
    if (!accountId) throw new MetaPayloadError('entrée sans id');
    const entryTime = ms(entry.time) ?? new Date();
    // One malformed event is skipped, not the batch: refusing it would make Meta retry the
    // whole batch until it gives up on the webhook.
    const keep = (read: () => MetaEvent | null) => {
      try {
        const ev = read();
        if (ev) events.push(ev);
      } catch (e) {
        if (!(e instanceof MetaPayloadError)) throw e;
        skipped.push(`événement invalide : ${e.message}`);
      }
    };
    for (const e of Array.isArray(entry.messaging) ? entry.messaging : []) {
      keep(() => {
        if (!isObj(e)) throw new MetaPayloadError('événement messaging invalide');
        return messaging(accountId, e, skipped);
      });
    }
    for (const c of Array.isArray(entry.changes) ? entry.changes : []) {
      keep(() => {
        if (!isObj(c)) throw new MetaPayloadError('changement invalide');
        return change(object, accountId, entryTime, c, skipped);
      });
    }
    if (Array.isArray(entry.standby)) skipped.push(`${entry.standby.length} événement(s) en attente (standby)`);
  }
  return { object, events, skipped };
}

const LABELS: Record<MetaAttachmentType, string> = {
  image: 'Image',
  video: 'Vidéo',
  audio: 'Message vocal',
  file: 'Fichier',
  share: 'Partage',
  sticker: 'Autocollant',
  location: 'Position',
  fallback: 'Lien',
  other: 'Contenu',
};

/** Attachment types whose bytes are fetched into the blob store; the others are recorded only. */
export const DOWNLOADABLE_ATTACHMENTS: ReadonlySet<MetaAttachmentType> = new Set(['image', 'video', 'audio', 'file']);

/** The text an agent reads for a message: the citizen's words, then one line per attachment. */
export function describeMetaMessage(text: string, list: MetaAttachmentRef[]): string {
  const lines = list.map((a) => {
    const label = LABELS[a.type];
    if (a.type === 'share' || a.type === 'fallback')
      return `[${label}${a.title ? ` : ${a.title}` : ''}]${a.url ? ` ${a.url}` : ''}`;
    return `[${label}]`;
  });
  return [text.trim(), ...lines].filter(Boolean).join('\n');
}
