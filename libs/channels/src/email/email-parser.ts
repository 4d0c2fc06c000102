import { createHash } from 'node:crypto';
import type { InboundAttachment, ProviderInboundMessage } from '@guichet/contracts';
import type { AddressObject, Attachment } from 'mailparser';

import { repairCharsets, SURE } from './charset-repair';

/** mailparser, loaded with the first mail to read (the app starts without it when no mail comes). */
const mailparser = () => require('mailparser') as typeof import('mailparser');

export const DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** A delivery status notification (RFC 3464) about a message we sent. */
export interface DeliveryReport {
  /** Message-ID of the message the report is about, when the report quotes it. */
  originalMessageId: string | null;
  action: 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded' | 'unknown';
  status: string | null;
  /** The remote server's reason (Diagnostic-Code, else Status). */
  reason: string;
}

export interface ParsedEmail {
  /** Ready for the ingest service, except `thread.conversationId` (the caller verifies `replyTokens`). */
  inbound: ProviderInboundMessage;
  /** `+token` local-part suffixes found in To/Cc/Delivered-To/X-Original-To, to verify. */
  replyTokens: string[];
  /** Set for a delivery status notification (RFC 3464, or a plain-text bounce): not a citizen's message. */
  deliveryReport?: DeliveryReport;
}

export class EmailParseError extends Error {}

export interface ParseOptions {
  channelId: string;
  maxAttachmentBytes?: number;
  /** The channel's own address: plus-address tokens are taken only on its local part and domain. */
  channelAddress?: string;
}

const VACATION_SUBJECT =
  /^\s*(r[ée]ponse automatique|absence du bureau|absent(e)? du bureau|message d'absence|out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autosvar|abwesenheitsnotiz|automatische antwort|respuesta autom[aá]tica|risposta automatica)\b/i;

/** Message-IDs in a header value, angle brackets kept. */
export function messageIds(value: string | string[] | undefined | null): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  return [...text.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}

function headerText(headers: Map<string, unknown>, name: string): string | undefined {
  const v = headers.get(name);
  if (v == null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((x) =>
        typeof x === 'string' ? x : ((x as { value?: string; text?: string }).text ?? (x as { value?: string }).value ?? ''),
      )
      .join(', ');
  if (typeof v === 'object') {
    const o = v as { value?: unknown; text?: string };
    if (typeof o.text === 'string') return o.text;
    if (typeof o.value === 'string') return o.value;
  }
  return String(v);
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  const list = Array.isArray(a) ? a : [a];
  const out: string[] = [];
  const walk = (vals: { address?: string; group?: { address?: string }[] }[]) => {
    for (const v of vals) {
      if (v.address) out.push(v.address);
      if (v.group) walk(v.group);
    }
  };
  for (const o of list) walk(o.value);
  return out;
}

/** `+token` suffixes of local parts (`etat-civil+abc@ville.fr` -> `abc`), on the channel's address only when given. */
export function plusTokens(candidates: string[], channelAddress?: string): string[] {
  const [ownLocal, ownDomain] = channelAddress ? splitAddress(channelAddress) : [undefined, undefined];
  const tokens: string[] = [];
  for (const raw of candidates) {
    for (const m of raw.matchAll(/([A-Za-z0-9._%-]+)\+([A-Za-z0-9]+)@([A-Za-z0-9.-]+)/g)) {
      const [, local, token, domain] = m;
      if (ownLocal && (local!.toLowerCase() !== ownLocal || domain!.toLowerCase() !== ownDomain)) continue;
      if (!tokens.includes(token!.toLowerCase())) tokens.push(token!.toLowerCase());
    }
  }
  return tokens;
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf('@');
  return [address.slice(0, at).toLowerCase().split('+')[0]!, address.slice(at + 1).toLowerCase()];
}

/** Auto-Submitted (other than `no`), X-Autoreply/X-Autorespond, Precedence bulk/junk/list/auto_reply, vacation subjects. */
export function isAutoReply(headers: Map<string, unknown>, subject: string | undefined): boolean {
  const autoSubmitted = headerText(headers, 'auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoresponse')) return true;
  const precedence = headerText(headers, 'precedence')?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'auto_reply', 'list'].includes(precedence)) return true;
  const suppress = headerText(headers, 'x-auto-response-suppress')?.toLowerCase();
  if (suppress && /\b(all|oof|autoreply)\b/.test(suppress) && subject && VACATION_SUBJECT.test(subject)) return true;
  return !!subject && VACATION_SUBJECT.test(subject);
}

function contentTypeOf(raw: string): { type: string; params: string } {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const m = /^content-type:\s*([^;\r\n]+)(.*)$/im.exec(unfolded);
  return { type: (m?.[1] ?? 'text/plain').trim().toLowerCase(), params: (m?.[2] ?? '').toLowerCase() };
}

/** RFC 3464: the per-recipient fields and the original message's id, read from the raw report. */
export function parseDeliveryReport(rawText: string, ownMessageId: string | undefined): DeliveryReport | null {
  const { type, params } = contentTypeOf(rawText);
  if (type !== 'multipart/report' || !/report-type\s*=\s*"?delivery-status/.test(params)) return null;
  const unfolded = rawText.replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(unfolded)?.[1]?.trim() ?? null;
  const actionText = field('Action')?.toLowerCase() ?? 'unknown';
  const action = (
    ['failed', 'delayed', 'delivered', 'relayed', 'expanded'].includes(actionText) ? actionText : 'unknown'
  ) as DeliveryReport['action'];
  const status = field('Status');
  const diagnostic = field('Diagnostic-Code')?.replace(/^smtp;\s*/i, '') ?? null;
  const ids = [...unfolded.matchAll(/^(?:Message-ID|Original-Message-ID):\s*(<[^<>\s]+>)/gim)].map((m) => m[1]!);
  const originalMessageId = ids.find((id) => id !== ownMessageId) ?? null;
  return { originalMessageId, action, status, reason: diagnostic ?? (status ? `statut ${status}` : 'message non remis') };
}

const DAEMON_SENDER = /^(mailer-daemon|mail-daemon|postmaster|mdaemon|mailerdaemon)@/i;
const BOUNCE_SUBJECT =
  /undeliver|delivery (status notification|failure|has failed|failed|delayed)|returned mail|failure notice|mail delivery (failed|system)|non remis|non distribu|(é|e)chec (de la |de |d'|d’)?(remise|distribution|livraison)|delivery (problem|incomplete)/i;
const DELAY_SUBJECT = /delay|retard|warning|avertissement|still being retried/i;
const SMTP_REPLY = /\b([45])\d\d[ -](?:[45]\.\d{1,3}\.\d{1,3}\b)?.*$/m;

/**
 * A bounce in plain text (qmail, older Exchange and Postfix set-ups, several French providers), not
 * RFC 3464: sent by a mailer daemon or with an empty Return-Path, with a bounce subject. The original
 * Message-ID is read from the quoted copy of our message (or In-Reply-To), the reason from the first
 * SMTP reply line quoted in the text; a delay warning is 'delayed', anything else 'failed'.
 */
export function parsePlainTextBounce(m: {
  from: string | undefined;
  returnPath: string | undefined;
  subject: string | undefined;
  text: string;
  inReplyTo: string[];
  ownMessageId: string;
}): DeliveryReport | null {
  const daemon = (m.from && DAEMON_SENDER.test(m.from)) || m.returnPath?.trim() === '<>';
  if (!daemon || !m.subject || !BOUNCE_SUBJECT.test(m.subject)) return null;
  const quoted = [...m.text.matchAll(/^\s*(?:Message-ID|Original-Message-ID):\s*(<[^<>\s]+>)/gim)].map((x) => x[1]!);
  const originalMessageId = [...quoted, ...m.inReplyTo].find((id) => id !== m.ownMessageId) ?? null;
  const reply = SMTP_REPLY.exec(m.text);
  const permanent = reply?.[1] === '5' || !DELAY_SUBJECT.test(m.subject);
  return {
    originalMessageId,
    action: permanent ? 'failed' : 'delayed',
    status: null,
    reason: reply ? reply[0].trim().slice(0, 500) : 'message non remis (rapport en texte libre)',
  };
}

const VALID_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The first valid address of Reply-To, Sender, Return-Path (not a daemon's, nor the channel's own). */
export function deduceSender(
  headers: Map<string, unknown>,
  channelAddress?: string,
): { address: string; name?: string; header: 'reply-to' | 'sender' | 'return-path' } | null {
  for (const header of ['reply-to', 'sender', 'return-path'] as const) {
    const value = headers.get(header) as AddressObject | undefined;
    for (const v of value?.value ?? []) {
      const address = v.address?.trim();
      if (!address || !VALID_ADDRESS.test(address) || DAEMON_SENDER.test(address)) continue;
      if (channelAddress && splitAddress(address).join('@') === splitAddress(channelAddress).join('@')) continue;
      return { address, ...(v.name?.trim() ? { name: v.name.trim() } : {}), header };
    }
  }
  return null;
}

const CONTENT_HEADERS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'content-type',
]);

/**
 * What makes two mails with the same Message-ID the same mail: the fields their author wrote and
 * the body, not the trace fields servers add on the way (Received, Delivered-To, Return-Path…),
 * so that one mail delivered twice is recognised while a reused Message-ID is not.
 */
export function contentHash(raw: Buffer): string {
  const sep = /\r?\n\r?\n/.exec(raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1'));
  const headEnd = sep ? sep.index : raw.length;
  const head = raw
    .subarray(0, headEnd)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const hash = createHash('sha256');
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && CONTENT_HEADERS.has(line.slice(0, colon).trim().toLowerCase()))
      hash.update(`${line.slice(0, colon).trim().toLowerCase()}:${line.slice(colon + 1).trim()}\n`);
  }
  hash.update('\n');
  hash.update(raw.subarray(sep ? headEnd + sep[0].length : raw.length));
  return hash.digest('hex');
}

/** A stable id for a mail without Message-ID: the same raw source always gives the same id. */
export function generatedMessageId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@guichet.generated>`;
}

/**
 * Raw RFC 5322 source -> InboundMessage: text, HTML (sanitized by the ingest), decoded subjects and file names,
 * inline images and attachments (oversize parts recorded as not imported), threading hints,
 * auto-reply and DSN detection. Throws EmailParseError when there is no usable sender.
 */
export async function parseEmail(source: Buffer | string, o: ParseOptions): Promise<ParsedEmail> {
  const raw = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const limit = o.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  // Raw 8-bit headers and wrongly declared text charsets are made readable first (nothing is lost).
  const { source: readable, notes: charsets } = repairCharsets(raw);
  const mail = await mailparser().simpleParser(readable, {
    keepCidLinks: true,
    skipImageLinks: true,
    skipTextToHtml: true,
    keepDeliveryStatus: true,
  });
  const headers = mail.headers as Map<string, unknown>;
  const rawHead = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');

  const messageId = messageIds(mail.messageId)[0] ?? generatedMessageId(raw);
  const fromEntry = mail.from?.value.find((v) => v.address);
  const fromAddress = fromEntry?.address;
  const report =
    parseDeliveryReport(raw.subarray(0, Math.min(raw.length, 1024 * 1024)).toString('latin1'), messageId) ??
    parsePlainTextBounce({
      from: fromAddress,
      returnPath: /^return-path:[ \t]*(.*)$/im.exec(rawHead)?.[1],
      subject: mail.subject,
      text: mail.text ?? '',
      inReplyTo: [...messageIds(mail.inReplyTo), ...messageIds(mail.references)],
      ownMessageId: messageId,
    });

  // No usable From: the address to answer is deduced from Reply-To, Sender or Return-Path. It proves
  // nothing, so the message goes in as `typed`: a new conversation, never appended to an existing one.
  const deduced = !report && !(fromAddress && VALID_ADDRESS.test(fromAddress)) ? deduceSender(headers, o.channelAddress) : null;
  if (!fromAddress && !report && !deduced) throw new EmailParseError('expéditeur (From) absent ou illisible');
  if (fromAddress && !VALID_ADDRESS.test(fromAddress) && !deduced)
    throw new EmailParseError(`adresse d'expéditeur invalide : ${fromAddress}`);
  const senderAddress = deduced?.address ?? fromAddress;
  const fromName = (deduced ? deduced.name : fromEntry?.name?.trim()) || undefined;

  const attachments: InboundAttachment[] = [];
  const notImported: { fileName: string; contentType: string; size: number; reason: string }[] = [];
  const inlineImages: Record<string, string> = {};
  const listedToo: string[] = [];
  const taken = new Set<string>();
  for (const [i, a] of (mail.attachments as Attachment[]).entries()) {
    if (report && /^(message\/delivery-status|message\/rfc822|text\/rfc822-headers)$/.test(a.contentType)) continue;
    const fileName = distinctName((a.filename ?? '').trim() || (await defaultName(a, i)), taken);
    if (a.size > limit) {
      notImported.push({
        fileName,
        contentType: a.contentType,
        size: a.size,
        reason: `pièce jointe trop volumineuse (${(a.size / 1048576).toFixed(1)} Mo, limite ${(limit / 1048576).toFixed(0)} Mo) : non importée`,
      });
      continue;
    }
    attachments.push({ fileName, contentType: a.contentType || 'application/octet-stream', content: new Uint8Array(a.content) });
    // Shown in place when the HTML points at it; listed as well only when also sent as an attachment:
    // marked so and outside the HTML's multipart/related (many clients mark their embedded images
    // `attachment` too, as nodemailer does).
    if (a.cid && typeof mail.html === 'string' && mail.html.includes(`cid:${a.cid}`)) {
      inlineImages[a.cid] = fileName;
      if (a.contentDisposition === 'attachment' && !a.related) listedToo.push(fileName);
    }
  }

  // A body read with a guessed charset: the mail as it arrived goes with it, so nothing is lost.
  if (charsets.some((n) => n.where === 'body' && n.confidence < SURE)) {
    attachments.push({
      fileName: distinctName('message-original.eml', taken),
      contentType: 'message/rfc822',
      content: new Uint8Array(raw),
    });
  }

  // As sent: IngestService sanitizes every channel's HTML once, before it is stored.
  const html = typeof mail.html === 'string' && mail.html.trim() ? mail.html : undefined;
  const subject = mail.subject?.trim() || undefined;
  const inReplyTo = [...messageIds(mail.inReplyTo), ...messageIds(mail.references).reverse()].filter(
    (v, i, all) => all.indexOf(v) === i,
  );
  const tokenCandidates = [
    ...addresses(mail.to),
    ...addresses(mail.cc),
    ...(['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to'] as const).flatMap((h) => {
      const direct = headerText(headers, h);
      // Several Delivered-To lines: mailparser keeps one, the raw head has them all.
      const all = [...rawHead.matchAll(new RegExp(`^${h}:\\s*(.+)$`, 'gim'))].map((m) => m[1]!);
      return [...(direct ? [direct] : []), ...all];
    }),
  ];

  const meta: Record<string, unknown> = { messageId, contentSha256: contentHash(raw) };
  if (deduced) meta.senderDeduced = deduced.header;
  if (charsets.length) meta.charsets = charsets;
  if (Object.keys(inlineImages).length) meta.inlineImages = inlineImages;
  if (listedToo.length) meta.listedToo = listedToo;
  if (notImported.length) meta.notImported = notImported;
  const to = addresses(mail.to);
  if (to.length) meta.to = to.slice(0, 20);
  const cc = addresses(mail.cc);
  if (cc.length) meta.cc = cc.slice(0, 20);
  if (mail.textConversionError) meta.textConversionError = String(mail.textConversionError);

  const autoReply = !report && isAutoReply(headers, subject);
  const inbound: ProviderInboundMessage = {
    channelId: o.channelId,
    externalId: messageId,
    ...(deduced ? { sender: 'typed' as const } : {}),
    from: { kind: 'email', value: senderAddress ?? 'mailer-daemon@invalid', ...(fromName ? { name: fromName } : {}) },
    subject,
    text: (mail.text ?? '').replace(/\r\n/g, '\n').trim(),
    ...(html ? { html } : {}),
    attachments,
    thread: { ...(inReplyTo.length ? { inReplyTo } : {}) },
    ...(autoReply ? { autoReply: true } : {}),
    meta,
  };
  return { inbound, replyTokens: plusTokens(tokenCandidates, o.channelAddress), ...(report ? { deliveryReport: report } : {}) };
}

/**
 * A name for an unnamed part: an attached e-mail is named from its subject (`Objet du message.eml`),
 * anything else from its content type, with the type's usual extension, never cut (`video/quicktime`
 * -> `.mov`, an unknown type -> `.bin`).
 */
async function defaultName(a: Attachment, i: number): Promise<string> {
  if (a.contentType === 'message/rfc822') {
    const head = a.content.subarray(0, Math.min(a.content.length, 64 * 1024));
    const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
    const inner = await mailparser().simpleParser(end >= 0 ? head.subarray(0, end) : head, {
      skipHtmlToText: true,
      skipTextToHtml: true,
    });
    const subject = (inner.subject ?? '')
      .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 150);
    return `${subject || 'message-transfere'}.eml`;
  }
  // Some clients name a part only by its Content-Location (`Photo25.jpg`).
  const location = headerText(a.headers as Map<string, unknown>, 'content-location')
    ?.trim()
    .split(/[\\/]/)
    .pop()
    ?.replace(/[:*?"<>|\u0000-\u001f]+/g, ' ')
    .trim();
  if (location && /^[^.].{0,150}\.[A-Za-z0-9]{1,12}$/.test(location)) return location;
  const type = a.contentType?.toLowerCase() ?? '';
  const ext =
    TYPE_ALIASES[type] ??
    (require('nodemailer/lib/mime-funcs') as typeof import('nodemailer/lib/mime-funcs')).detectExtension(type);
  return `${a.cid ? 'image-integree' : 'piece-jointe'}-${i + 1}.${ext && ext !== 'bin' ? ext : 'bin'}`;
}

/** Types real clients write that are not the registered ones (`image/jpg`), with their usual extension. */
const TYPE_ALIASES: Record<string, string> = {
  'image/jpg': 'jpg',
  'image/pjpeg': 'jpg',
  'image/x-png': 'png',
  'image/x-citrix-png': 'png',
  'image/x-citrix-jpeg': 'jpg',
  'audio/mp3': 'mp3',
  'application/x-pdf': 'pdf',
  'application/x-zip': 'zip',
  'text/watch-html': 'html',
};

/** `scan.pdf`, `scan (2).pdf`: two parts with the same name stay apart in the timeline. */
function distinctName(name: string, taken: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
