import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export type AfterCommit = (fn: () => void | Promise<void>) => void;

@Injectable()
export class Database {
  constructor(readonly dataSource: DataSource) {}

  query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params);
  }

  /**
   * Runs `work` in one transaction; callbacks registered with `afterCommit` run only once it
   * has committed (events never go out for a rolled-back transaction).
   */
  async tx<T>(work: (manager: EntityManager, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    const callbacks: (() => void | Promise<void>)[] = [];
    const result = await this.dataSource.transaction((manager) => work(manager, (fn) => callbacks.push(fn)));
    for (const fn of callbacks) {
      try {
        await fn();
      } catch {
        // After-commit work (events) must never turn a committed write into an error answer.
      }
    }
    return result;
  }
}
