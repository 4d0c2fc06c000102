import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AppError } from '../../common/errors';
import { JobQueue } from '../../infra/jobs/job-queue';
import { LoginThrottleRepository } from './login-throttle.repository';

/** The first wait after the free failures; each further failure doubles it, up to the cap. */
const BACKOFF_BASE_SECONDS = 30;
const BACKOFF_CAP_SECONDS = 15 * 60;
/** A pair's failures are counted over a day at most; a quiet day starts the count over. */
const PAIR_COUNT_SECONDS = 24 * 3600;
/** The per-address ceiling counts over 15 minutes, and makes the address wait as long. */
const ADDRESS_WINDOW_SECONDS = 15 * 60;
/** An account that logged in from an address is known there for a month after its last success. */
const TRUST_DAYS = 30;
const PURGE_QUEUE = 'login-throttle-purge';

/**
 * The address a limit applies to: IPv4-mapped IPv6 as IPv4, IPv6 by its /64 (one subscriber's
 * network: a host there can rotate through 2^64 addresses at will).
 */
export function limitedAddress(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

const inFrench = (seconds: number) =>
  seconds < 60 ? `${seconds} secondes` : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) > 1 ? 's' : ''}`;

export interface LoginAttempt {
  pair: Buffer;
  address: Buffer;
}

/**
 * The login limiter: stops password guessing without locking real people out.
 *
 * - Failures count per (account, address) pair. The first `loginFailuresBeforeBackoff` (10) are
 *   free; then each further try from that pair waits 30 s, 1 min, 2 min… doubling up to 15 min.
 *   While a pair waits, even the right password is refused there (otherwise the wait would be
 *   an oracle); the same account from any other address is not affected, nor are the other
 *   accounts at that address (a town hall behind one NAT address).
 * - Successes never count: a success starts the pair's count over. (A colleague's success at a
 *   shared address thus gives an attacker there a fresh count on that one account: accepted,
 *   the attacker still meets the wait after ten more failures.)
 * - Each try is counted as a failure before the password is checked, atomically in PostgreSQL,
 *   and the success undoes it: parallel tries cannot slip past the count, and the limit holds
 *   across every API instance.
 * - Against spraying (a few passwords on many accounts, each pair under its limit): wrong
 *   passwords from one address, all accounts together, are counted too; past
 *   `loginAddressFailuresPer15Min` (100) within 15 minutes, that address waits 15 minutes for
 *   every account it has not logged in with successfully in the last 30 days. Accounts that
 *   have (the town hall's own agents at their own NAT address) still get in with their
 *   password, each under its own pair limit. The ceiling is coarse: tries already running when
 *   it is reached are not stopped.
 * - The account is the e-mail as typed (lower-cased), known or not: unknown accounts behave
 *   the same, so the limiter reveals nothing. Rows are keyed by an HMAC of e-mail and address
 *   (APP_SECRET): no e-mail or IP address is stored in clear; stale rows are purged hourly.
 * - A refusal is 429 with a French reason and Retry-After.
 */
@Injectable()
export class LoginLimiter implements OnApplicationBootstrap {
  private readonly logger = new Logger('LoginLimiter');

  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(PURGE_QUEUE, { retryLimit: 0, expireInSeconds: 300, cron: '17 * * * *' }, async () => {
      const n = await this.repo.purge(PAIR_COUNT_SECONDS);
      if (n) this.logger.log(`${n} compteur(s) de connexion expiré(s) supprimé(s)`);
    });
  }

  private key(...parts: string[]): Buffer {
    return createHmac('sha256', this.config.appSecret).update(parts.join('\n')).digest();
  }

  /** Throws 429 when this account may not try from this address now; else the try is counted. */
  async admit(email: string, ip: string): Promise<LoginAttempt> {
    const address = limitedAddress(ip);
    const attempt = { pair: this.key('login:pair', email.toLowerCase(), address), address: this.key('login:address', address) };
    const r = await this.repo.admit(attempt.pair, attempt.address, {
      free: this.config.loginFailuresBeforeBackoff,
      baseSeconds: BACKOFF_BASE_SECONDS,
      capSeconds: BACKOFF_CAP_SECONDS,
      windowSeconds: PAIR_COUNT_SECONDS,
    });
    if (!r.admitted) {
      throw new AppError(
        'rate_limited',
        `trop de tentatives de connexion depuis cette adresse : réessayez dans ${inFrench(r.retryAfterSeconds)}`,
        undefined,
        { retryAfterSeconds: r.retryAfterSeconds },
      );
    }
    return attempt;
  }

  succeeded(attempt: LoginAttempt): Promise<void> {
    return this.repo.succeeded(attempt.pair, TRUST_DAYS);
  }

  /** The pair's failure is already counted (admit); the address's is counted now. */
  failed(attempt: LoginAttempt): Promise<void> {
    return this.repo.addressFailed(attempt.address, this.config.loginAddressFailuresPer15Min, ADDRESS_WINDOW_SECONDS);
  }
}
