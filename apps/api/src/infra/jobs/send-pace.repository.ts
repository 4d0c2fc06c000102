import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The paces of bulk sends (SendPace1765132000000). */
@Injectable()
export class SendPaceRepository {
  /**
   * Reserves `n` consecutive slots of the pace `key` at `perSecond`, in the caller's transaction
   * (the pace's row stays locked until it ends, so two batches never share a slot): the first
   * slot's time, now or after the slots reserved before.
   */
  async reserve(manager: EntityManager, key: string, n: number, perSecond: number): Promise<Date> {
    const [row] = (await manager.query(
      `INSERT INTO send_pace AS p (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8 / $3::float8))
       ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(p.next_at, clock_timestamp()) + make_interval(secs => $2::float8 / $3::float8)
       RETURNING p.next_at - make_interval(secs => $2::float8 / $3::float8) AS first`,
      [key, n, perSecond],
    )) as { first: Date }[];
    return row!.first;
  }
}
