import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Dovecot, DovecotUser } from '@guichet/testing';
import type { BenchEnv } from './env';
import { createAgents } from './fixtures';
import { apiJson } from './http';
import { markerText } from './fleet-protocol';
import { nowMs, runPool } from './timing';

/** A real Dovecot mailbox and an e-mail channel on it, for the e-mail benches (issue 3). */

export type ImapClient = Awaited<ReturnType<Dovecot['client']>>;

export const CHANNEL_ADDRESS = 'etat-civil@ville-bench.fr';

/**
 * mailparser's simpleParser, loaded from @guichet/channels (its dependency, not the API's): the
 * baseline parses exactly as the email channel's parser does, without a dependency of its own.
 */
type SimpleParser = (source: Buffer) => Promise<{ text?: string; html?: string | false; messageId?: string }>;
export const simpleParser: SimpleParser = (
  createRequire(require.resolve('@guichet/channels'))('mailparser') as { simpleParser: SimpleParser }
).simpleParser;

/**
 * A citizen's e-mail: multipart/alternative (text and HTML), about 1.5 kB, a unique Message-ID,
 * and the bench marker in the text so that the socket fleet can match `message.created` to it.
 */
export function citizenMail(i: number, tag: string): string {
  const text = [
    'Bonjour,',
    '',
    `Je souhaiterais obtenir une copie intégrale de mon acte de naissance ${markerText(i)} pour un dossier de mariage.`,
    'Je suis né à Banc-sur-Essai. Pouvez-vous me dire quelles pièces joindre et sous quel délai ?',
    '',
    'Merci, cordialement.',
    `Citoyen ${i}`,
  ].join('\r\n');
  const html = `<html><body><p>Bonjour,</p><p>Je souhaiterais obtenir une copie int&eacute;grale de mon acte de naissance ${markerText(i)} pour un dossier de mariage.</p><p>Je suis n&eacute; &agrave; Banc-sur-Essai. Pouvez-vous me dire quelles pi&egrave;ces joindre et sous quel d&eacute;lai ?</p><p>Merci, cordialement.<br>Citoyen ${i}</p></body></html>`;
  const boundary = `b-${tag}-${i}`;
  return [
    `From: Citoyen ${i} <citoyen.${tag}.${i}@exemple.fr>`,
    `To: <${CHANNEL_ADDRESS}>`,
    `Subject: =?UTF-8?Q?Demande_d'acte_de_naissance?=`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${tag}.${i}@exemple.fr>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** APPENDs `count` citizen mails over `connections` IMAP connections; answers the elapsed time. */
export async function appendMails(
  dovecot: Dovecot,
  box: DovecotUser,
  count: number,
  connections: number,
  tag: string,
): Promise<number> {
  const clients = await Promise.all(Array.from({ length: Math.min(connections, count) }, () => dovecot.client(box)));
  const free = [...clients];
  try {
    const start = nowMs();
    await runPool(count, clients.length, 10 * 60_000, async (i) => {
      const c = free.pop()!;
      try {
        const res = await c.append('INBOX', Buffer.from(citizenMail(i, tag)));
        if (!res) throw new Error(`APPEND ${i} refused`);
      } finally {
        free.push(c);
      }
    });
    return nowMs() - start;
  } finally {
    await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  }
}

/** An admin creates the e-mail channel over the API (secrets encrypted at rest); SMTP is never used here. */
export async function createEmailChannelOverApi(
  env: BenchEnv,
  dovecot: Dovecot,
  box: DovecotUser,
  organizationId: string,
  teamId: string,
  /** The SMTP server replies go to (none listens on port 9: replies fail). */
  smtp: { port: number; user: string; password: string } = { port: 9, user: box.user, password: box.password },
): Promise<string> {
  const [admin] = await createAgents(env.db, { organizationId, role: 'admin', teamIds: [teamId], count: 1 });
  const res = await apiJson<{ id?: string }>(env.app.url, 'POST', '/channels', admin!.token, {
    kind: 'email',
    name: 'État civil (e-mail)',
    teamId,
    config: {
      address: CHANNEL_ADDRESS,
      imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: box.user, password: box.password },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: smtp.user, password: smtp.password },
      processed: 'seen',
    },
  });
  if (res.status !== 201 || !res.body.id)
    throw new Error(`POST /api/v1/channels answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export const benchTag = (): string => randomBytes(3).toString('hex');

export async function storedOnChannel(env: BenchEnv, channelId: string): Promise<number> {
  return (await env.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM message WHERE channel_id = $1`, [channelId])).rows[0]!
    .n;
}
