import { Injectable } from '@nestjs/common';
import type { ProcessingRestrictionDto, ProcessingRestrictionKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

interface RestrictionRow {
  id: string;
  contact_id: string;
  kind: ProcessingRestrictionKind;
  conversation_id: string | null;
  reason: string;
  until: string | null;
  granted_at: Date;
  granted_by: string | null;
  granted_by_name: string | null;
  lifted_at: Date | null;
  lifted_by: string | null;
  lifted_by_name: string | null;
  lift_reason: string | null;
}

const SELECT = `SELECT r.id, r.contact_id, r.kind, r.conversation_id, r.reason, to_char(r.until, 'YYYY-MM-DD') AS until,
       r.granted_at, r.granted_by, g.name AS granted_by_name, r.lifted_at, r.lifted_by, l.name AS lifted_by_name, r.lift_reason
  FROM processing_restriction r LEFT JOIN agent g ON g.id = r.granted_by LEFT JOIN agent l ON l.id = r.lifted_by`;

export const toRestrictionDto = (r: RestrictionRow): ProcessingRestrictionDto => ({
  id: r.id,
  contactId: r.contact_id,
  kind: r.kind,
  conversationId: r.conversation_id,
  reason: r.reason,
  until: r.until,
  grantedAt: r.granted_at.toISOString(),
  grantedBy: r.granted_by ? { id: r.granted_by, name: r.granted_by_name ?? '' } : null,
  liftedAt: r.lifted_at?.toISOString() ?? null,
  liftedBy: r.lifted_by ? { id: r.lifted_by, name: r.lifted_by_name ?? '' } : null,
  liftReason: r.lift_reason,
});

/** What the guards read: the citizen's limitation in force, and whether this conversation answers a rights request. */
/**
 * Limitations (RGPD art. 18) and objections (art. 21) granted on a citizen's file: all of their SQL.
 * One in force per citizen and kind (a partial unique index); lifted ones stay as history.
 */
@Injectable()
export class ProcessingRestrictionRepository {
  constructor(private readonly db: Database) {}

  /** Every restriction of the citizen, in force first, newest first. */
  async list(organizationId: string, contactId: string, m?: EntityManager): Promise<ProcessingRestrictionDto[]> {
    const rows = await this.db.query<RestrictionRow>(
      `${SELECT} WHERE r.organization_id = $1 AND r.contact_id = $2 ORDER BY r.lifted_at IS NULL DESC, r.granted_at DESC`,
      [organizationId, contactId],
      m,
    );
    return rows.map(toRestrictionDto);
  }

  async inForce(organizationId: string, contactId: string, m?: EntityManager): Promise<ProcessingRestrictionDto[]> {
    const rows = await this.db.query<RestrictionRow>(
      `${SELECT} WHERE r.organization_id = $1 AND r.contact_id = $2 AND r.lifted_at IS NULL ORDER BY r.kind`,
      [organizationId, contactId],
      m,
    );
    return rows.map(toRestrictionDto);
  }

  /** The in-force restriction of this kind, locked for its lifting. */
  async lockInForce(
    m: EntityManager,
    organizationId: string,
    contactId: string,
    kind: ProcessingRestrictionKind,
  ): Promise<ProcessingRestrictionDto | null> {
    const [row] = await this.db.query<RestrictionRow>(
      `${SELECT} WHERE r.organization_id = $1 AND r.contact_id = $2 AND r.kind = $3 AND r.lifted_at IS NULL FOR UPDATE OF r`,
      [organizationId, contactId, kind],
      m,
    );
    return row ? toRestrictionDto(row) : null;
  }

  /** A new restriction in force; null when one of this kind already is. */
  async grant(
    m: EntityManager,
    v: {
      organizationId: string;
      contactId: string;
      kind: ProcessingRestrictionKind;
      conversationId: string;
      reason: string;
      until: string | null;
      agentId: string;
    },
  ): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO processing_restriction (organization_id, contact_id, kind, conversation_id, reason, until, granted_by)
       VALUES ($1, $2, $3, $4, $5, $6::date, $7)
       ON CONFLICT (contact_id, kind) WHERE lifted_at IS NULL DO NOTHING RETURNING id`,
      [v.organizationId, v.contactId, v.kind, v.conversationId, v.reason, v.until, v.agentId],
      m,
    );
    return row?.id ?? null;
  }

  async lift(m: EntityManager, id: string, agentId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE processing_restriction SET lifted_at = now(), lifted_by = $2, lift_reason = $3 WHERE id = $1 AND lifted_at IS NULL`,
      [id, agentId, reason],
      m,
    );
  }

  async find(id: string, m?: EntityManager): Promise<ProcessingRestrictionDto | null> {
    const [row] = await this.db.query<RestrictionRow>(`${SELECT} WHERE r.id = $1`, [id], m);
    return row ? toRestrictionDto(row) : null;
  }

  /**
   * Since when the citizen's data is limited when `conversationId` may not be processed (null: it
   * may) — guichet_limited_since, migration 1765111000000, the rule the outbound worker asks too.
   */
  async limitedSince(contactId: string, conversationId: string | null, m?: EntityManager): Promise<Date | null> {
    const [row] = await this.db.query<{ since: Date | null }>(
      `SELECT guichet_limited_since($1, $2) AS since`,
      [contactId, conversationId],
      m,
    );
    return row?.since ?? null;
  }

  /** The kinds in force among these citizens (merges look at both files). */
  async limitedAmong(contactIds: string[], m?: EntityManager): Promise<{ contact_id: string; granted_at: Date }[]> {
    return this.db.query(
      `SELECT contact_id, granted_at FROM processing_restriction
        WHERE contact_id = ANY($1::uuid[]) AND kind = 'limitation' AND lifted_at IS NULL`,
      [contactIds],
      m,
    );
  }

  /** Whether the citizen objected (art. 21) or is limited (art. 18): no survey, no reminder. */
  async withheld(contactId: string, m?: EntityManager): Promise<ProcessingRestrictionKind | null> {
    const [row] = await this.db.query<{ kind: ProcessingRestrictionKind }>(
      `SELECT kind FROM processing_restriction WHERE contact_id = $1 AND lifted_at IS NULL ORDER BY kind LIMIT 1`,
      [contactId],
      m,
    );
    return row?.kind ?? null;
  }
}
