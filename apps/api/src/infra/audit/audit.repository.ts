import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { GroupCommit } from '../../common/group-commit';
import { pgJson } from '../../common/pg-text';
import { currentOrigin } from '../../common/request-context';
import type { AuditAction } from '@guichet/contracts';

export type { AuditAction } from '@guichet/contracts';

/** Where an action came from: the request's IP address and the agent's session (its public id). */
export interface AuditOrigin {
  ip: string | null;
  sessionId: string | null;
}

export interface AuditEntry {
  organizationId: string;
  agentId: string | null;
  action: AuditAction;
  conversationId?: string | null;
  contactId?: string | null;
  data?: Record<string, unknown>;
  /** The current request's when absent (common/request-context.ts); none for the jobs. */
  origin?: AuditOrigin;
}

const COLUMNS = `audit_event (organization_id, agent_id, action, conversation_id, contact_id, data, ip, session_id)`;
const ROWS = `unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::jsonb[], $7::inet[], $8::uuid[]) AS e`;
/** One INSERT for any number of events (the group commit's batches, the retention run's). */
const INSERT_MANY = `INSERT INTO ${COLUMNS} SELECT e.* FROM ${ROWS}`;
/**
 * The same as a transaction of its own not waiting for the WAL's flush: synchronous_commit set
 * for that transaction only (set_config local, as SET LOCAL between BEGIN and COMMIT), in one
 * round trip instead of four.
 */
const INSERT_MANY_UNFLUSHED = `WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
  INSERT INTO ${COLUMNS} SELECT e.* FROM unflushed, ${ROWS}`;

function manyParams(items: (AuditEntry & { origin: AuditOrigin })[]): unknown[] {
  return [
    items.map((e) => e.organizationId),
    items.map((e) => e.agentId),
    items.map((e) => e.action),
    items.map((e) => e.conversationId ?? null),
    items.map((e) => e.contactId ?? null),
    items.map((e) => (e.data ? pgJson(e.data) : null)),
    items.map((e) => e.origin.ip),
    items.map((e) => e.origin.sessionId),
  ];
}

const withOrigin = (e: AuditEntry): AuditEntry & { origin: AuditOrigin } => ({ ...e, origin: e.origin ?? currentOrigin() });

/** Who did what to which conversation or citizen file, and who looked at which (RGPD access audit). */
@Injectable()
export class AuditRepository {
  /**
   * Access records arriving together (agents opening files, paging, searching) share one INSERT,
   * committed without waiting for the WAL's flush to disk (synchronous_commit off, this
   * transaction only): the page no longer waits for an fsync, and what a PostgreSQL crash can
   * lose is the records of the last moments before it (at most 3 × wal_writer_delay, 0.6 s by
   * default), never a change of a file, which keeps its own record in its own durable transaction.
   */
  private readonly accesses = new GroupCommit<AuditEntry & { origin: AuditOrigin }, void>(
    async (items) => {
      await this.db.query(INSERT_MANY_UNFLUSHED, manyParams(items));
      return items.map(() => undefined);
    },
    { parallel: 2, maxBatch: 500 },
  );

  constructor(private readonly db: Database) {}

  /**
   * An access record (a view, a read, a download, a search). Callers await it alongside the
   * read it records (Promise.all), so it costs no added wait, and nothing is answered unless its
   * record is written (committed, flushed shortly after); concurrent records are written together
   * (group commit).
   * The origin is taken now, in the request's context: the batch is written outside it.
   */
  recordAccess(e: AuditEntry): Promise<void> {
    return this.accesses.submit(withOrigin(e));
  }

  /**
   * Removes, by bounded batches, the audit events older than their organization's period
   * (organization.audit_retention_months), of one organization or (null) all. Returns how many
   * went in this batch, per organization.
   */
  async purgeBatch(organizationId: string | null, now: Date, limit: number): Promise<Map<string, number>> {
    const rows = await this.db.query<{ organization_id: string; n: number }>(
      `WITH gone AS (
         DELETE FROM audit_event WHERE id IN (
           SELECT e.id FROM audit_event e JOIN organization o ON o.id = e.organization_id
            WHERE e.created_at < $1::timestamptz - make_interval(months => o.audit_retention_months)
              AND ($3::uuid IS NULL OR e.organization_id = $3)
            LIMIT $2)
         RETURNING organization_id)
       SELECT organization_id, count(*)::int AS n FROM gone GROUP BY organization_id`,
      [now, limit, organizationId],
    );
    return new Map(rows.map((r) => [r.organization_id, r.n]));
  }

  async record(e: AuditEntry, manager?: EntityManager): Promise<void> {
    const { ip, sessionId } = e.origin ?? currentOrigin();
    await this.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data, ip, session_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        e.organizationId,
        e.agentId,
        e.action,
        e.conversationId ?? null,
        e.contactId ?? null,
        e.data ? pgJson(e.data) : null,
        ip,
        sessionId,
      ],
      manager,
    );
  }

  /** Several events in one statement, in the caller's transaction (a retention batch's). */
  async recordMany(entries: AuditEntry[], manager: EntityManager): Promise<void> {
    if (entries.length) await this.db.query(INSERT_MANY, manyParams(entries.map(withOrigin)), manager);
  }
}
