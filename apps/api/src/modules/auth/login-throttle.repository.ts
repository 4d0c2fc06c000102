import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';

/** The count a new failure makes: it starts over once the current count is older than `window` ($ parameter). */
const next = (window: string) =>
  `(CASE WHEN t.counting_since IS NULL OR t.counting_since < now() - make_interval(secs => ${window}::float8) THEN 1 ELSE t.failures + 1 END)`;

/** The wait a pair's n-th failure imposes ($3 free, $4 base, $5 cap): none before `free`, then base · 2^(n − free), at most cap. */
const wait = (n: string) =>
  `CASE WHEN ${n} >= $3::int THEN now() + make_interval(secs => least($4::float8 * power(2, ${n} - $3::int), $5::float8)) END`;

/**
 * The login limiter's counters (policy in login-limiter.ts). Rows are keyed by an HMAC of the
 * account and/or address; `counting_since` starts the current count, `blocked_until` is the
 * wait in force, `trusted_until` marks a pair whose account logged in from that address.
 */
@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly db: Database) {}

  /**
   * Admits one password check for a pair, atomically (parallel tries cannot slip past the count):
   * refused while the pair waits, or while its address waits unless the pair is trusted.
   * An admitted try is counted as a failure at once (and given its wait); a success resets it.
   */
  async admit(
    pair: Buffer,
    address: Buffer,
    p: { free: number; baseSeconds: number; capSeconds: number; windowSeconds: number },
  ): Promise<{ admitted: true } | { admitted: false; retryAfterSeconds: number }> {
    const admitted = await this.db.query(
      `WITH s AS (
         SELECT EXISTS (SELECT 1 FROM login_throttle WHERE key = $2 AND blocked_until > now()) AS address_waits,
                EXISTS (SELECT 1 FROM login_throttle WHERE key = $1 AND trusted_until > now()) AS trusted
       )
       INSERT INTO login_throttle AS t (key, failures, counting_since, blocked_until)
       SELECT $1, 1, now(), ${wait('1')} FROM s WHERE s.trusted OR NOT s.address_waits
       ON CONFLICT (key) DO UPDATE SET
         failures = ${next('$6')},
         counting_since = CASE WHEN ${next('$6')} = 1 THEN now() ELSE t.counting_since END,
         blocked_until = ${wait(next('$6'))}
       WHERE t.blocked_until IS NULL OR t.blocked_until <= now()
       RETURNING t.failures`,
      [pair, address, p.free, p.baseSeconds, p.capSeconds, p.windowSeconds],
    );
    if (admitted.length) return { admitted: true };
    const [row] = await this.db.query<{ retry: number | null }>(
      `SELECT ceil(extract(epoch FROM greatest(
                (SELECT blocked_until FROM login_throttle WHERE key = $1),
                (SELECT blocked_until FROM login_throttle WHERE key = $2
                  AND NOT EXISTS (SELECT 1 FROM login_throttle WHERE key = $1 AND trusted_until > now()))
              ) - now()))::int AS retry`,
      [pair, address],
    );
    return { admitted: false, retryAfterSeconds: Math.max(1, row?.retry ?? 1) };
  }

  /** The account logged in from this address: its count starts over and the pair is trusted until `trustDays`. */
  async succeeded(pair: Buffer, trustDays: number): Promise<void> {
    await this.db.query(
      `INSERT INTO login_throttle (key, failures, trusted_until) VALUES ($1, 0, now() + make_interval(days => $2))
       ON CONFLICT (key) DO UPDATE SET failures = 0, counting_since = NULL, blocked_until = NULL, trusted_until = EXCLUDED.trusted_until`,
      [pair, trustDays],
    );
  }

  /** One more wrong password from an address (all accounts together); `ceiling` of them within `windowSeconds` make it wait that long. */
  async addressFailed(address: Buffer, ceiling: number, windowSeconds: number): Promise<void> {
    await this.db.query(
      `INSERT INTO login_throttle AS t (key, failures, counting_since, blocked_until)
       VALUES ($1, 1, now(), CASE WHEN 1 >= $2::int THEN now() + make_interval(secs => $3::float8) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = ${next('$3')},
         counting_since = CASE WHEN ${next('$3')} = 1 THEN now() ELSE t.counting_since END,
         blocked_until = CASE WHEN ${next('$3')} >= $2::int
                              THEN greatest(t.blocked_until, now() + make_interval(secs => $3::float8)) ELSE t.blocked_until END`,
      [address, ceiling, windowSeconds],
    );
  }

  /** Rows with no wait, no count and no trust left. */
  async purge(countSeconds: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM login_throttle
        WHERE (blocked_until IS NULL OR blocked_until < now())
          AND (counting_since IS NULL OR counting_since < now() - make_interval(secs => $1::float8))
          AND (trusted_until IS NULL OR trusted_until < now())
        RETURNING 1`,
      [countSeconds],
    );
    return rows.length;
  }
}
