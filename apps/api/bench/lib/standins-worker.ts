/** The Twilio and SMTP stand-ins of standins.ts, on their own thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { startSmtpCapture, startTwilioServer } from '@guichet/testing';
import type { StandinsCount, StandinsInit, StandinsReady, StandinsRequest } from './standins';

const init = workerData as StandinsInit;

/** A captured mail's text part, decoded enough to find a prefix (quoted-printable soft breaks and =XX). */
const decoded = (raw: string): string =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

async function main(): Promise<void> {
  const twilio = await startTwilioServer();
  twilio.addAccount(init.twilioAccount, init.twilioAuthToken);
  const smtp = await startSmtpCapture({ user: init.smtpUser, password: init.smtpPassword });
  parentPort!.postMessage({ type: 'ready', twilioUrl: twilio.url, smtpPort: smtp.port } satisfies StandinsReady);
  parentPort!.on('message', (req: StandinsRequest) => {
    if (req.type === 'close') {
      void Promise.all([twilio.close(), smtp.close()]).finally(() => parentPort!.close());
      return;
    }
    const out: StandinsCount = { type: 'count', sms: {}, mail: {}, otherSms: 0, otherMail: 0 };
    for (const r of twilio.creates()) {
      const to = r.form.To ?? '';
      if ((r.form.Body ?? '').startsWith(req.prefix)) out.sms[to] = (out.sms[to] ?? 0) + 1;
      else out.otherSms++;
    }
    for (const m of smtp.messages) {
      if (!decoded(m.text).includes(req.prefix)) {
        out.otherMail++;
        continue;
      }
      for (const to of m.to) out.mail[to] = (out.mail[to] ?? 0) + 1;
    }
    parentPort!.postMessage(out);
  });
}

void main();
