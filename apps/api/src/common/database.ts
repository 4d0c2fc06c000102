import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export type AfterCommit = (fn: () => void | Promise<void>) => void;

/**
 * Raw SQL on the app's DataSource. Parameters are cleaned of what PostgreSQL cannot store
 * (NUL, lone surrogates: pg-text.ts) by the connection's client (database/preparing-client.ts),
 * so this, the repositories' `manager.query` in transactions and TypeORM's own statements are
 * all covered; JSON built for a jsonb parameter goes through pgJson.
 */
@Injectable()
export class Database {
  constructor(readonly dataSource: DataSource) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    const result = await (manager ?? this.dataSource.manager).query(sql, params);
    // TypeORM's postgres driver answers UPDATE and DELETE with [rows, rowCount]: keep the rows.
    if (/^\s*(UPDATE|DELETE)\b/i.test(sql) && Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
      return result[0] as T[];
    }
    return result as T[];
  }

  /**
   * Runs `work` in one transaction; callbacks registered with `afterCommit` run only once it
   * has committed (events never go out for a rolled-back transaction).
   */
  async tx<T>(work: (manager: EntityManager, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    const callbacks: (() => void | Promise<void>)[] = [];
    const result = await this.dataSource.transaction((manager) => work(manager, (fn) => callbacks.push(fn)));
    await afterAll(callbacks);
    return result;
  }

  /**
   * Runs `work` without a transaction, each statement committed on its own: for what writes
   * nothing that must commit together (telling a change already committed: its reads, and the
   * jobs of durable listeners, inserted in one statement). `afterCommit` callbacks run once `work`
   * is done, as `tx` runs them.
   */
  async untransacted<T>(work: (manager: EntityManager, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    const callbacks: (() => void | Promise<void>)[] = [];
    const result = await work(this.dataSource.manager, (fn) => callbacks.push(fn));
    await afterAll(callbacks);
    return result;
  }
}

async function afterAll(callbacks: (() => void | Promise<void>)[]): Promise<void> {
  for (const fn of callbacks) {
    try {
      await fn();
    } catch {
      // After-commit work (events) must never turn a committed write into an error answer.
    }
  }
}

/**
 * Errors of the database connection itself, and deadlocks or serialization failures (class 40,
 * gone on a second try): worth another try once the database answers, never a reason to
 * quarantine a mail or to fail a send that already happened.
 */
export function isInfrastructureError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; driverError?: { code?: string } } | null;
  const code = err?.driverError?.code ?? err?.code ?? '';
  return (
    /^(08|57P|53|40)/.test(code) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/.test(code) ||
    /Connection terminated|connection.*(closed|ended)/i.test(err?.message ?? '')
  );
}
