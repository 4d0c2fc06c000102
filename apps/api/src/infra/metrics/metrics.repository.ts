import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';

export interface QueueStat {
  name: string;
  queued: number;
  active: number;
  /** Seconds the oldest job that may start now has waited; 0 when none waits. */
  oldest_seconds: number;
}

export interface PoolUse {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

@Injectable()
export class MetricsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Jobs not finished, per queue (pg-boss; every queue listed, idle ones at 0): one scan of the unfinished jobs, which pg-boss's
   * partial index on `state < 'active'` keeps small whatever the completed history holds.
   */
  async queueStats(): Promise<QueueStat[]> {
    return this.db.query<QueueStat>(
      `SELECT q.name,
              count(j.id) FILTER (WHERE j.state < 'active')::int AS queued,
              count(j.id) FILTER (WHERE j.state = 'active')::int AS active,
              COALESCE(extract(epoch FROM now() - min(j.created_on) FILTER (WHERE j.state < 'active' AND j.start_after <= now())), 0)::float8 AS oldest_seconds
         FROM pgboss.queue q
         LEFT JOIN pgboss.job j ON j.name = q.name AND j.state <= 'active'
        GROUP BY q.name`,
    );
  }

  /** The API's connection pool (node-postgres Pool behind TypeORM): no query, counters only. */
  poolUse(): PoolUse | undefined {
    const pool = (this.db.dataSource.driver as unknown as { master?: PoolLike }).master;
    if (!pool) return undefined;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options?.max ?? 0 };
  }
}

interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}
