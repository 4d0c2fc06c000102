import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: Buffer;
  /** Raw text (headers and body) for assertions. */
  text: string;
  user?: string;
  at: number;
}

/**
 * A real SMTP server (the `smtp-server` package) that captures raw messages, with scripted
 * refusals: `refuseNext(550, …)` answers the next N messages with that code.
 */
export interface SmtpCapture {
  host: string;
  port: number;
  user: string;
  password: string;
  messages: CapturedMail[];
  /** Answer the next `count` DATA commands with `code` (e.g. 550 or 451) and `text`. */
  refuseNext(code: number, text: string, count?: number): void;
  /** Attempts seen (accepted or refused), for retry assertions. */
  attempts: number;
  /**
   * Runs on each accepted message, once it is captured and before the client hears the 250 (a
   * test kills the sender there: the server has the mail, the sender never knew); null removes it.
   */
  beforeAnswer(hook: ((mail: CapturedMail) => void | Promise<void>) | null): void;
  close(): Promise<void>;
}

export async function startSmtpCapture(o: { user?: string; password?: string } = {}): Promise<SmtpCapture> {
  const user = o.user ?? 'guichet';
  const password = o.password ?? 'smtp-test-secret';
  const refusals: { code: number; text: string }[] = [];
  let beforeAnswer: ((mail: CapturedMail) => void | Promise<void>) | null = null;
  const capture: SmtpCapture = {
    host: '127.0.0.1',
    port: 0,
    user,
    password,
    messages: [],
    attempts: 0,
    refuseNext(code, text, count = 1) {
      for (let i = 0; i < count; i++) refusals.push({ code, text });
    },
    beforeAnswer(hook) {
      beforeAnswer = hook;
    },
    close: async () => undefined,
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    size: 40 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        capture.attempts++;
        const refusal = refusals.shift();
        if (refusal) return cb(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
        const raw = Buffer.concat(chunks);
        const mail: CapturedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: raw.toString('utf8'),
          user: typeof session.user === 'string' ? session.user : undefined,
          at: Date.now(),
        };
        capture.messages.push(mail);
        void Promise.resolve(beforeAnswer?.(mail)).then(
          () => cb(null),
          () => cb(null),
        );
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  capture.port = (server.server.address() as AddressInfo).port;
  capture.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return capture;
}
