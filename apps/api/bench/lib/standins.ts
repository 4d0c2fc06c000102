import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { withTimeout } from './timing';

/**
 * The providers' stand-ins (the Twilio API and an SMTP server, from @guichet/testing) on a worker
 * thread (standins-worker.ts): the app's event loop does not also run the providers' side, which
 * is elsewhere in production. They accept as fast as they are sent to.
 */

export interface StandinsInit {
  twilioAccount: string;
  twilioAuthToken: string;
  smtpUser: string;
  smtpPassword: string;
}

export interface StandinsReady {
  type: 'ready';
  twilioUrl: string;
  smtpPort: number;
}

/** What reached the stand-ins: per recipient, how many messages whose text starts with `prefix`. */
export interface StandinsCount {
  type: 'count';
  sms: Record<string, number>;
  mail: Record<string, number>;
  /** Everything else received (SMS not starting with the prefix, mails without it). */
  otherSms: number;
  otherMail: number;
}

export type StandinsRequest = { type: 'count'; prefix: string } | { type: 'close' };

export class Standins {
  private constructor(
    private readonly worker: Worker,
    readonly twilioUrl: string,
    readonly smtpPort: number,
  ) {}

  static async start(init: StandinsInit): Promise<Standins> {
    const worker = new Worker(join(__dirname, 'standins-worker.js'), { workerData: init });
    const ready = await withTimeout(
      new Promise<StandinsReady>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
      20_000,
      'stand-ins start',
    );
    return new Standins(worker, ready.twilioUrl, ready.smtpPort);
  }

  count(prefix: string): Promise<StandinsCount> {
    return withTimeout(
      new Promise<StandinsCount>((resolve) => {
        this.worker.once('message', resolve);
        this.worker.postMessage({ type: 'count', prefix } satisfies StandinsRequest);
      }),
      20_000,
      'stand-ins count',
    );
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies StandinsRequest);
    await withTimeout(new Promise<void>((resolve) => this.worker.once('exit', () => resolve())), 10_000, 'stand-ins exit').catch(
      () => this.worker.terminate(),
    );
  }
}
