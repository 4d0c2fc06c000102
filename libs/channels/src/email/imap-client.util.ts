import type { ChannelConfig } from '@guichet/contracts';
import type { ImapFlow } from 'imapflow';

type EmailConfig = ChannelConfig<'email'>;

/** A fresh IMAP client for one channel (credentials per call, never a shared client). */
export function imapClient(config: EmailConfig, o: { connectTimeoutMs?: number } = {}): ImapFlow {
  const i = config.imap;
  // Loaded on the first connection: the app starts without it when no mailbox is configured.
  const { ImapFlow: Client } = require('imapflow') as typeof import('imapflow');
  const client = new Client({
    host: i.host,
    port: i.port,
    secure: i.secure,
    auth: i.accessToken ? { user: i.user, accessToken: i.accessToken } : { user: i.user, pass: i.password ?? '' },
    logger: false,
    // IDLE is started explicitly by the watcher (auto-IDLE waits 15 s of inactivity).
    disableAutoIdle: true,
    connectionTimeout: o.connectTimeoutMs ?? 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 5 * 60_000,
    tls: { servername: i.host },
    clientInfo: { name: 'Guichet' },
  } as ConstructorParameters<typeof Client>[0]);
  // Errors also reject the pending command; without a listener an 'error' event would crash the process.
  client.on('error', () => undefined);
  return client;
}

interface ErrorLike {
  code?: string;
  authenticationFailed?: boolean;
  responseCode?: number;
  response?: string;
  responseText?: string;
  serverResponseCode?: string;
  message?: string;
  cause?: unknown;
}

/** A clear French reason for a connection failure: auth refused, TLS, host unreachable. */
export function describeConnectionError(e: unknown, protocol: 'IMAP' | 'SMTP'): string {
  const err = (e ?? {}) as ErrorLike;
  const text = `${err.responseText ?? err.response ?? err.message ?? String(e)}`.trim();
  // nodemailer wraps socket errors (code ESOCKET/ECONNECTION): the system code is in the message.
  const code = `${err.code ?? ''} ${(err.cause as ErrorLike | undefined)?.code ?? ''} ${/\b(E[A-Z_]{4,})\b/.exec(text)?.[1] ?? ''}`;
  if (
    err.authenticationFailed ||
    /EAUTH/.test(code) ||
    err.responseCode === 535 ||
    /AUTHENTICATIONFAILED|auth(entication)? failed|invalid credentials/i.test(text)
  ) {
    return `authentification refusée par le serveur ${protocol} (identifiant ou mot de passe)`;
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(code)) return `hôte injoignable : nom du serveur ${protocol} introuvable`;
  if (/ECONNREFUSED/.test(code)) return `hôte injoignable : connexion refusée par le serveur ${protocol}`;
  if (/ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|EHOSTUNREACH|ENETUNREACH/.test(code) || /timeout/i.test(text)) {
    return `hôte injoignable : le serveur ${protocol} ne répond pas (délai dépassé)`;
  }
  if (/SSL|TLS|CERT|EPROTO|ERR_SSL/i.test(code) || /ssl|tls|certificate|wrong version number/i.test(text)) {
    return `erreur TLS avec le serveur ${protocol} : vérifiez le port et l'option « secure » (${text})`;
  }
  if (/ECONNRESET|EPIPE|NoConnection|ECONNECTION/i.test(code)) return `connexion ${protocol} interrompue : ${text}`;
  return `erreur ${protocol} : ${text}`;
}

export interface ChannelTestResult {
  imap: { ok: boolean; error?: string };
  smtp: { ok: boolean; error?: string };
}

/** Connects to both servers: IMAP login and every configured folder, SMTP greeting and login. */
export async function testEmailChannel(config: EmailConfig, smtpVerify: () => Promise<unknown>): Promise<ChannelTestResult> {
  const imap = async (): Promise<ChannelTestResult['imap']> => {
    const client = imapClient(config, { connectTimeoutMs: 10_000 });
    try {
      await client.connect();
      for (const folder of config.imap.folders) {
        try {
          await client.mailboxOpen(folder, { readOnly: true });
        } catch {
          return { ok: false, error: `dossier introuvable : « ${folder} »` };
        }
      }
      for (const folder of [config.processed === 'move' ? config.moveTo : undefined, config.sentFolder]) {
        if (!folder) continue;
        const status = await client.status(folder, { messages: true }).catch(() => false);
        if (!status) return { ok: false, error: `dossier introuvable : « ${folder} »` };
      }
      return { ok: true };
    } catch (e) {
      return { ok: false, error: describeConnectionError(e, 'IMAP') };
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  const smtp = async (): Promise<ChannelTestResult['smtp']> => {
    try {
      await smtpVerify();
      return { ok: true };
    } catch (e) {
      return { ok: false, error: describeConnectionError(e, 'SMTP') };
    }
  };
  const [i, s] = await Promise.all([imap(), smtp()]);
  return { imap: i, smtp: s };
}
