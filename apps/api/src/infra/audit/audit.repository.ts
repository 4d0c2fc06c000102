import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { GroupCommit } from '../../common/group-commit';
import { pgJson } from '../../common/pg-text';
import type { AuditAction } from '@guichet/contracts';

export type { AuditAction } from '@guichet/contracts';

export interface AuditEntry {
  organizationId: string;
  agentId: string | null;
  action: AuditAction;
  conversationId?: string | null;
  contactId?: string | null;
  data?: Record<string, unknown>;
}

/** Who did what to which conversation or citizen file, and who looked at which (RGPD access audit). */
@Injectable()
export class AuditRepository {
  /** Access records arriving together (agents opening files, paging, searching) share one INSERT. */
  private readonly accesses = new GroupCommit<AuditEntry, void>(
    async (items) => {
      await this.db.query(
        `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::jsonb[])`,
        [
          items.map((e) => e.organizationId),
          items.map((e) => e.agentId),
          items.map((e) => e.action),
          items.map((e) => e.conversationId ?? null),
          items.map((e) => e.contactId ?? null),
          items.map((e) => (e.data ? pgJson(e.data) : null)),
        ],
      );
      return items.map(() => undefined);
    },
    { parallel: 2, maxBatch: 500 },
  );

  constructor(private readonly db: Database) {}

  /**
   * An access record (a view, a read, a download, a search). Callers await it alongside the
   * read it records (Promise.all), so it costs no added round trip, and nothing is answered
   * unless its record is written; concurrent records are written together (group commit).
   */
  recordAccess(e: AuditEntry): Promise<void> {
    return this.accesses.submit(e);
  }

  /**
   * Removes, by bounded batches, the audit events older than their organization's period
   * (organization.audit_retention_months). Returns how many went in this batch.
   */
  async purgeBatch(now: Date, limit: number): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM audit_event WHERE id IN (
         SELECT e.id FROM audit_event e JOIN organization o ON o.id = e.organization_id
          WHERE e.created_at < $1::timestamptz - make_interval(months => o.audit_retention_months)
          LIMIT $2)
       RETURNING id`,
      [now, limit],
    );
    return rows.length;
  }

  async record(e: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.organizationId, e.agentId, e.action, e.conversationId ?? null, e.contactId ?? null, e.data ? pgJson(e.data) : null],
      manager,
    );
  }
}
