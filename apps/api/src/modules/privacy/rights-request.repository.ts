import { Injectable } from '@nestjs/common';
import type { ConversationPrivacyDto, RightsRequestDto, RightsRequestKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** What the rights-request paths need of a conversation (the access rule's fields among them). */
export interface PrivacyConversationRow {
  id: string;
  organization_id: string;
  team_id: string;
  assignee_id: string | null;
  contact_id: string;
  version: number;
  created_at: Date;
  anonymized_at: Date | null;
  legal_hold_reason: string | null;
  legal_hold_at: Date | null;
  legal_hold_by: string | null;
  legal_hold_by_name: string | null;
}

interface RightsRow {
  conversation_id: string;
  kind: RightsRequestKind;
  received_at: Date;
  due_at: Date;
  extended_at: Date | null;
  extension_reason: string | null;
}

const toDto = (r: RightsRow): RightsRequestDto => ({
  conversationId: r.conversation_id,
  kind: r.kind,
  receivedAt: r.received_at.toISOString(),
  dueAt: r.due_at.toISOString(),
  extendedAt: r.extended_at?.toISOString() ?? null,
  extensionReason: r.extension_reason,
});

/** Months after receipt, counted in Paris time (31 January + 1 month = 28 or 29 February). */
const PLUS_MONTHS = `(($1::timestamptz AT TIME ZONE 'Europe/Paris') + make_interval(months => $2)) AT TIME ZONE 'Europe/Paris'`;

/** Rights requests (RGPD art. 15–21, issue 16): the type of a conversation and its deadline. */
@Injectable()
export class RightsRequestRepository {
  constructor(private readonly db: Database) {}

  async conversation(organizationId: string, id: string, m?: EntityManager): Promise<PrivacyConversationRow | null> {
    const [row] = await this.db.query<PrivacyConversationRow>(
      `SELECT c.id, c.organization_id, c.team_id, c.assignee_id, c.contact_id, c.version, c.created_at, c.anonymized_at,
              c.legal_hold_reason, c.legal_hold_at, c.legal_hold_by, a.name AS legal_hold_by_name
         FROM conversation c LEFT JOIN agent a ON a.id = c.legal_hold_by
        WHERE c.organization_id = $1 AND c.id = $2`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }

  async find(conversationId: string, m?: EntityManager, lock = false): Promise<RightsRequestDto | null> {
    const [row] = await this.db.query<RightsRow>(
      `SELECT conversation_id, kind, received_at, due_at, extended_at, extension_reason FROM rights_request
        WHERE conversation_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [conversationId],
      m,
    );
    return row ? toDto(row) : null;
  }

  /**
   * Marks the conversation a rights request of this kind: received when the conversation was
   * opened, due one month later (or three once extended). A change of kind keeps the dates.
   */
  async upsert(
    m: EntityManager,
    v: { organizationId: string; conversationId: string; kind: RightsRequestKind; receivedAt: Date; agentId: string },
  ): Promise<RightsRequestDto> {
    const [row] = await this.db.query<RightsRow>(
      `INSERT INTO rights_request (conversation_id, organization_id, kind, received_at, due_at, created_by)
       VALUES ($3, $4, $5, $1, ${PLUS_MONTHS}, $6)
       ON CONFLICT (conversation_id) DO UPDATE SET kind = EXCLUDED.kind
       RETURNING conversation_id, kind, received_at, due_at, extended_at, extension_reason`,
      [v.receivedAt, 1, v.conversationId, v.organizationId, v.kind, v.agentId],
      m,
    );
    return toDto(row!);
  }

  async remove(m: EntityManager, conversationId: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM rights_request WHERE conversation_id = $1 RETURNING conversation_id`,
      [conversationId],
      m,
    );
    return rows.length > 0;
  }

  /** Two more months (art. 12.3): due three months after receipt. */
  async extend(m: EntityManager, conversationId: string, receivedAt: Date, reason: string): Promise<RightsRequestDto> {
    const [row] = await this.db.query<RightsRow>(
      `UPDATE rights_request SET due_at = ${PLUS_MONTHS}, extended_at = now(), extension_reason = $4
        WHERE conversation_id = $3
        RETURNING conversation_id, kind, received_at, due_at, extended_at, extension_reason`,
      [receivedAt, 3, conversationId, reason],
      m,
    );
    return toDto(row!);
  }

  /** The deadline `months` after receipt, as `upsert` and `extend` count it. */
  async monthsAfter(receivedAt: Date, months: number): Promise<Date> {
    const [row] = await this.db.query<{ due: Date }>(`SELECT ${PLUS_MONTHS} AS due`, [receivedAt, months]);
    return row!.due;
  }

  async contactExists(organizationId: string, contactId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM contact WHERE organization_id = $1 AND id = $2`, [organizationId, contactId]);
    return rows.length > 0;
  }

  /** Renames the citizen's file (rectification); answers the name it had. */
  async renameContact(
    m: EntityManager,
    organizationId: string,
    contactId: string,
    name: string,
  ): Promise<{ previous: string | null } | null> {
    const [row] = await this.db.query<{ previous: string | null }>(
      `UPDATE contact c SET name = $3, updated_at = now() FROM (SELECT id, name FROM contact WHERE id = $2 FOR UPDATE) old
        WHERE c.id = old.id AND c.organization_id = $1 AND c.anonymized_at IS NULL
       RETURNING old.name AS previous`,
      [organizationId, contactId, name],
      m,
    );
    return row ?? null;
  }

  /** The legal-hold part of a conversation's privacy state. */
  static legalHold(row: PrivacyConversationRow): ConversationPrivacyDto['legalHold'] {
    return row.legal_hold_reason
      ? {
          reason: row.legal_hold_reason,
          at: row.legal_hold_at!.toISOString(),
          by: row.legal_hold_by ? { id: row.legal_hold_by, name: row.legal_hold_by_name ?? '' } : null,
        }
      : null;
  }
}
