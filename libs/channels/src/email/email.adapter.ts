import { CHANNEL_CONFIG_SCHEMAS, type ChannelConfig } from '@guichet/contracts';
import type { createTransport } from 'nodemailer';
import type { ChannelAdapter, OutboundRequest, SendResult } from '../adapter';
import { imapClient, testEmailChannel, type ChannelTestResult } from './imap-client.util';

/** nodemailer, loaded with the first mail to send or server to check. */
const nodemailer = () => require('nodemailer') as typeof import('nodemailer');

export type EmailConfig = ChannelConfig<'email'>;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Our own Message-ID for a Guichet message: derived from its id, so a re-run job sends the same message, never a second one. */
export function outboundMessageId(messageId: string, address: string): string {
  return `<${messageId}@${domainOf(address)}>`;
}

/** `etat-civil@ville.fr` + token -> `etat-civil+token@ville.fr`. */
export function replyAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at).split('+')[0]}+${token}@${address.slice(at + 1)}`;
}

/** `Re: <subject> [GU-XXXXXX]`, without piling up `Re:` prefixes or references. */
export function replySubject(subject: string | null, reference: string, isReply: boolean): string {
  let base = (subject ?? '').replace(/\s*\[?GU-[0-9A-Z]{6}\]?\s*/gi, ' ').trim();
  while (/^(re|aw|sv|tr|fwd?)\s*(\[\d+\])?\s*:\s*/i.test(base))
    base = base.replace(/^(re|aw|sv|tr|fwd?)\s*(\[\d+\])?\s*:\s*/i, '');
  base = base.trim() || 'Votre demande';
  return `${isReply ? 'Re: ' : ''}${base} [${reference}]`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The agent's text as simple HTML: paragraphs, line breaks, links. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .map((p) =>
      escapeHtml(p)
        .replace(/(https?:\/\/[^\s<]+)/g, '<a href="$1">$1</a>')
        .replace(/\n/g, '<br>'),
    );
  return `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;
}

/** References: the first id and the latest ones (a long thread keeps the header short). */
function references(ids: string[]): string[] {
  const unique = ids.filter((v, i) => v && ids.indexOf(v) === i && /^<[^<>\s]+>$/.test(v));
  return unique.length > 20 ? [unique[0]!, ...unique.slice(-19)] : unique;
}

/** nodemailer's MailComposer, loaded with the first mail to build (the app starts without it). */
const mailComposer = () => (require('nodemailer/lib/mail-composer') as typeof import('nodemailer/lib/mail-composer')).default;

/** A file as nodemailer attaches it: a download (never shown inline), its bytes as given. */
const attached = (a: { fileName: string; contentType: string; content: Uint8Array }) => ({
  filename: a.fileName,
  contentType: a.contentType,
  contentDisposition: 'attachment' as const,
  content: Buffer.from(a.content),
});

export interface BuiltEmail {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
}

export async function buildReplyEmail(request: OutboundRequest): Promise<BuiltEmail> {
  const config = request.channel.config as EmailConfig;
  if (!request.to) throw new Error('destinataire manquant');
  const messageId = outboundMessageId(request.message.id, config.address);
  const thread = references(request.threadExternalIds.filter((id) => id !== messageId));
  const MailComposer = mailComposer();
  const composer = new MailComposer({
    from: { name: config.displayName ?? '', address: config.address },
    to: { name: request.to.name ?? '', address: request.to.value },
    replyTo: replyAddress(config.address, request.replyToken),
    subject: replySubject(
      request.conversation.subject,
      request.conversation.reference,
      request.conversation.lastInboundAt !== null,
    ),
    messageId,
    date: new Date(),
    ...(thread.length ? { inReplyTo: thread[thread.length - 1], references: thread } : {}),
    text: request.message.body,
    html: textToHtml(request.message.body),
    attachments: request.message.attachments.map(attached),
    headers: { 'X-Guichet-Reference': request.conversation.reference, 'Auto-Submitted': 'no' },
    xMailer: 'Guichet',
  });
  const raw = await composer.compile().build();
  return { raw, messageId, envelope: { from: config.address, to: [request.to.value] } };
}

export function smtpTransport(config: EmailConfig) {
  const s = config.smtp;
  return nodemailer().createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ignoreTLS: !s.secure && LOOPBACK.test(s.host),
    auth: s.accessToken ? { type: 'OAuth2', user: s.user, accessToken: s.accessToken } : { user: s.user, pass: s.password ?? '' },
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    tls: { servername: s.host },
  } as Parameters<typeof createTransport>[0]);
}

interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/** 5xx: permanent with the server's words; 4xx, network, timeouts: temporary. */
export function classifySmtpError(e: unknown): { temporary: boolean; reason: string } {
  const err = (e ?? {}) as SmtpError;
  const response = (err.response ?? err.message ?? String(e)).trim();
  if (typeof err.responseCode === 'number') {
    return { temporary: err.responseCode < 500, reason: `le serveur SMTP a répondu : ${response}` };
  }
  if (err.code === 'EAUTH') return { temporary: false, reason: `authentification SMTP refusée : ${response}` };
  return { temporary: true, reason: `erreur réseau SMTP (${err.code ?? 'inconnue'}) : ${response}` };
}

export async function sendEmail(request: OutboundRequest): Promise<SendResult> {
  const valid = CHANNEL_CONFIG_SCHEMAS.email.safeParse(request.channel.config);
  if (!valid.success)
    return { ok: false, temporary: false, reason: 'configuration du canal e-mail incomplète (adresse, IMAP, SMTP)' };
  const config = valid.data;
  if (!request.to) return { ok: false, temporary: false, reason: "le citoyen n'a pas d'adresse e-mail" };
  const built = await buildReplyEmail(request);
  const transport = smtpTransport(config);
  try {
    await transport.sendMail({ envelope: built.envelope, raw: built.raw });
  } catch (e) {
    return { ok: false, ...classifySmtpError(e) };
  } finally {
    transport.close();
  }
  if (config.sentFolder) {
    // The copy in Sent is a convenience for the town's mail program: a failure here never turns a
    // sent message into a retry. It is removed with its conversation's anonymization (removeMailboxCopies).
    const client = imapClient(config);
    try {
      await client.connect();
      await client.append(config.sentFolder, built.raw, ['\\Seen']);
    } catch {
      /* best effort */
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
  return { ok: true, status: 'sent', externalId: built.messageId };
}

/**
 * An interrupted e-mail is sent again, with the same Message-ID (outboundMessageId: derived from the
 * Guichet message's id). SMTP cannot be asked whether a server accepted a mail earlier, and the
 * Sent folder copy comes after the SMTP answer, so its absence proves nothing. The same Message-ID
 * is what makes a resend the honest choice: it is the mail's identity for everything downstream —
 * mailbox providers drop a second copy of an id the mailbox already holds (Gmail does), mail
 * programs thread and merge by it, and a citizen's answer to either copy comes back to the same
 * conversation (In-Reply-To). Holding it for an agent instead would leave the citizen without
 * the reply until someone looks, for a duplicate that most mail programs never show twice. (The
 * Sent folder may get a second copy.)
 */
export const emailAdapter: ChannelAdapter = {
  kind: 'email',
  send: sendEmail,
  interrupted: 'resend',
};

/** `POST /channels/:id/test`: IMAP login and folders, SMTP greeting and login. */
export function checkEmailChannel(config: EmailConfig): Promise<ChannelTestResult> {
  return testEmailChannel(config, async () => {
    const transport = smtpTransport(config);
    try {
      await transport.verify();
    } finally {
      transport.close();
    }
  });
}

/** An SMTP server the organization sends its own mail through (invitations, password resets). */
export interface OrganizationSmtp {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  fromAddress: string;
  fromName?: string;
}

/**
 * Sends a plain-text mail of the organization itself (not a conversation's): resolves once the
 * server accepted it, otherwise rejects with the French reason of classifySmtpError.
 */
/** A file sent with an organization's mail (e.g. a request's documents forwarded under L114-2). */
export interface OrganizationMailAttachment {
  fileName: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * One RFC 822 message (an .eml file) that any mail program opens: its text and HTML bodies and
 * its files attached, composed by nodemailer's MailComposer, not sent (e.g. a request's file
 * forwarded to another administration under L114-2, attached to the mail that forwards it).
 */
export async function composeEml(m: {
  from?: { name: string; address: string };
  to?: { name: string; address: string };
  subject: string;
  date: Date;
  text: string;
  html: string;
  attachments: OrganizationMailAttachment[];
  headers?: Record<string, string>;
}): Promise<Buffer> {
  const MailComposer = mailComposer();
  return new MailComposer({
    ...(m.from ? { from: m.from } : {}),
    ...(m.to ? { to: m.to } : {}),
    subject: m.subject,
    date: m.date,
    text: m.text,
    html: m.html,
    attachments: m.attachments.map(attached),
    headers: m.headers,
    xMailer: 'Guichet',
  })
    .compile()
    .build();
}

/**
 * `mail.messageId`: the Message-ID header to send (a mail sent again after an interrupted attempt
 * keeps its identity: outboundMessageId); nodemailer makes one otherwise.
 */
export async function sendOrganizationMail(
  smtp: OrganizationSmtp,
  mail: { to: string; subject: string; text: string; attachments?: OrganizationMailAttachment[]; messageId?: string },
): Promise<void> {
  const transport = nodemailer().createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ignoreTLS: !smtp.secure && LOOPBACK.test(smtp.host),
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    tls: { servername: smtp.host },
  } as Parameters<typeof createTransport>[0]);
  try {
    await transport.sendMail({
      from: smtp.fromName ? { name: smtp.fromName, address: smtp.fromAddress } : smtp.fromAddress,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      attachments: mail.attachments?.map(attached),
      headers: { 'Auto-Submitted': 'auto-generated' },
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      xMailer: 'Guichet',
    });
  } catch (e) {
    throw new Error(classifySmtpError(e).reason, { cause: e });
  } finally {
    transport.close();
  }
}
