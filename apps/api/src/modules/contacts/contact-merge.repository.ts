import { Injectable } from '@nestjs/common';
import type { ContactMergeDto, ContactMergeStatus, IdentityKind } from '@guichet/contracts';
import { CONTACT_MERGE_UNDO_DAYS } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** A contact as a merge locks it. */
export interface MergeContactRow {
  id: string;
  name: string | null;
  anonymized_at: Date | null;
  merged_into_id: string | null;
}

export interface ContactMergeRow {
  id: string;
  organization_id: string;
  target_contact_id: string;
  source_contact_id: string;
  status: ContactMergeStatus;
  proposed_by: string | null;
  decided_at: Date | null;
  moved_identity_ids: string[];
  moved_conversation_ids: string[];
  source_name: string | null;
  target_previous_name: string | null;
}

interface MergeListRow {
  id: string;
  status: ContactMergeStatus;
  target_contact_id: string;
  target_name: string | null;
  source_contact_id: string;
  source_name_now: string | null;
  source_name: string | null;
  reason: string;
  proposed_by: string | null;
  proposed_by_name: string | null;
  proposed_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  undone_at: Date | null;
  moved_identities: number;
  moved_conversations: number;
}

const LIST_SQL = `
  SELECT m.id, m.status, m.target_contact_id, t.name AS target_name, m.source_contact_id, s.name AS source_name_now,
         m.source_name, m.reason, m.proposed_by, pa.name AS proposed_by_name, m.proposed_at,
         m.decided_by, da.name AS decided_by_name, m.decided_at, m.undone_at,
         cardinality(m.moved_identity_ids) AS moved_identities, cardinality(m.moved_conversation_ids) AS moved_conversations
    FROM contact_merge m
    JOIN contact t ON t.id = m.target_contact_id
    JOIN contact s ON s.id = m.source_contact_id
    LEFT JOIN agent pa ON pa.id = m.proposed_by
    LEFT JOIN agent da ON da.id = m.decided_by`;

function toDto(r: MergeListRow): ContactMergeDto {
  const undoUntil =
    r.status === 'merged' && r.decided_at ? new Date(r.decided_at.getTime() + CONTACT_MERGE_UNDO_DAYS * 86_400_000) : null;
  return {
    id: r.id,
    status: r.status,
    target: { id: r.target_contact_id, name: r.target_name },
    source: { id: r.source_contact_id, name: r.source_name_now ?? r.source_name },
    reason: r.reason,
    proposedBy: r.proposed_by ? { id: r.proposed_by, name: r.proposed_by_name ?? '' } : null,
    proposedAt: r.proposed_at.toISOString(),
    decidedBy: r.decided_by ? { id: r.decided_by, name: r.decided_by_name ?? '' } : null,
    decidedAt: r.decided_at?.toISOString() ?? null,
    undoneAt: r.undone_at?.toISOString() ?? null,
    undoUntil: undoUntil?.toISOString() ?? null,
    movedIdentities: Number(r.moved_identities),
    movedConversations: Number(r.moved_conversations),
  };
}

/** Contact merges (issue 16): proposals, what a confirmed merge moved, and its undo. */
@Injectable()
export class ContactMergeRepository {
  constructor(private readonly db: Database) {}

  /** The contact holding an identity value in the organization, or null. */
  async contactOfIdentity(organizationId: string, kind: IdentityKind, value: string): Promise<string | null> {
    const [row] = await this.db.query<{ contact_id: string }>(
      `SELECT contact_id FROM contact_identity WHERE organization_id = $1 AND kind = $2 AND value = $3`,
      [organizationId, kind, value],
    );
    return row?.contact_id ?? null;
  }

  /** Both files of a merge, locked against another merge (not against new messages), in id order. */
  lockContacts(m: EntityManager, organizationId: string, ids: string[]): Promise<MergeContactRow[]> {
    return this.db.query<MergeContactRow>(
      `SELECT id, name, anonymized_at, merged_into_id FROM contact
        WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [organizationId, ids],
      m,
    );
  }

  /** A new proposal; null when one is already open for this pair. */
  async propose(
    m: EntityManager,
    v: { organizationId: string; targetId: string; sourceId: string; reason: string; agentId: string },
  ): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO contact_merge (organization_id, target_contact_id, source_contact_id, reason, proposed_by)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
      [v.organizationId, v.targetId, v.sourceId, v.reason, v.agentId],
      m,
    );
    return row?.id ?? null;
  }

  /** A merge of the organization, locked for its decision or undo. */
  async lock(m: EntityManager, organizationId: string, id: string): Promise<ContactMergeRow | null> {
    const [row] = await this.db.query<ContactMergeRow>(
      `SELECT id, organization_id, target_contact_id, source_contact_id, status, proposed_by, decided_at,
              moved_identity_ids, moved_conversation_ids, source_name, target_previous_name
         FROM contact_merge WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }

  async find(organizationId: string, id: string, m?: EntityManager): Promise<ContactMergeDto | null> {
    const [row] = await this.db.query<MergeListRow>(
      `${LIST_SQL} WHERE m.organization_id = $1 AND m.id = $2`,
      [organizationId, id],
      m,
    );
    return row ? toDto(row) : null;
  }

  /**
   * Merges of the organization, newest first: those involving a contact (either side), or by
   * status (the proposals waiting for a supervisor).
   */
  async list(organizationId: string, f: { contactId?: string; status?: ContactMergeStatus }): Promise<ContactMergeDto[]> {
    const rows = await this.db.query<MergeListRow>(
      `${LIST_SQL}
        WHERE m.organization_id = $1
          AND ($2::uuid IS NULL OR m.target_contact_id = $2 OR m.source_contact_id = $2)
          AND ($3::text IS NULL OR m.status = $3)
        ORDER BY m.proposed_at DESC LIMIT 100`,
      [organizationId, f.contactId ?? null, f.status ?? null],
    );
    return rows.map(toDto);
  }

  /** The identities of a contact (their values, for the identity locks of a merge). */
  identities(m: EntityManager, contactId: string): Promise<{ id: string; kind: IdentityKind; value: string }[]> {
    return this.db.query(`SELECT id, kind, value FROM contact_identity WHERE contact_id = $1 ORDER BY id`, [contactId], m);
  }

  /** Every conversation of a contact. */
  async conversationIds(m: EntityManager, contactId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM conversation WHERE contact_id = $1`, [contactId], m);
    return rows.map((r) => r.id);
  }

  /**
   * What an undo moves back to the absorbed file: the conversations the merge moved, and those
   * opened since by an identity the merge moved only (the citizen wrote again from it).
   */
  async conversationsToMoveBack(m: EntityManager, merge: ContactMergeRow): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM conversation
        WHERE contact_id = $1
          AND (id = ANY($2::uuid[])
               OR (created_at >= $4 AND cardinality(identity_ids) > 0 AND identity_ids <@ $3::uuid[]))`,
      [merge.target_contact_id, merge.moved_conversation_ids, merge.moved_identity_ids, merge.decided_at],
      m,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Locks the event registrations (issue 17) filed in these conversations, before the merge moves
   * the conversations: every other path takes a registration's lock before its conversation's (the
   * registrant notice job locks the registration, then writes in its conversation; see LOCK ORDER
   * in MunicipalEventRepository), so a merge taking them the other way round could deadlock with it.
   * FOR NO KEY UPDATE, in id order, as the events' own paths lock them.
   */
  async lockRegistrations(m: EntityManager, conversationIds: string[]): Promise<void> {
    if (!conversationIds.length) return;
    await this.db.query(
      `SELECT id FROM municipal_event_registration WHERE conversation_id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [conversationIds],
      m,
    );
  }

  /**
   * A citizen's event registrations (issue 17) follow their conversation: each registration has its
   * own conversation in the event's service, so moving the conversations and then their
   * registrations moves exactly what the merge moved, and its undo exactly what comes back.
   * Answers the registrations moved.
   */
  async moveRegistrations(
    m: EntityManager,
    conversationIds: string[],
    fromContactId: string,
    toContactId: string,
  ): Promise<string[]> {
    if (!conversationIds.length) return [];
    const rows = await this.db.query<{ id: string }>(
      `UPDATE municipal_event_registration SET contact_id = $3
        WHERE conversation_id = ANY($1::uuid[]) AND contact_id = $2 RETURNING id`,
      [conversationIds, fromContactId, toContactId],
      m,
    );
    return rows.map((r) => r.id);
  }

  /** Moves identities between contacts; answers those moved. */
  async moveIdentities(m: EntityManager, ids: string[], fromContactId: string, toContactId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE contact_identity SET contact_id = $3 WHERE id = ANY($1::uuid[]) AND contact_id = $2 RETURNING id`,
      [ids, fromContactId, toContactId],
      m,
    );
    return rows.map((r) => r.id);
  }

  /** The kept file takes the absorbed one's name when it had none; the absorbed one points to it. */
  async markMerged(
    m: EntityManager,
    merge: ContactMergeRow,
    v: {
      agentId: string;
      movedIdentityIds: string[];
      movedConversationIds: string[];
      sourceName: string | null;
      targetName: string | null;
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE contact SET name = coalesce(name, $2), updated_at = now() WHERE id = $1`,
      [merge.target_contact_id, v.sourceName],
      m,
    );
    await this.db.query(
      `UPDATE contact SET merged_into_id = $2, updated_at = now() WHERE id = $1`,
      [merge.source_contact_id, merge.target_contact_id],
      m,
    );
    await this.db.query(
      `UPDATE contact_merge SET status = 'merged', decided_by = $2, decided_at = now(), moved_identity_ids = $3,
              moved_conversation_ids = $4, source_name = $5, target_previous_name = $6
        WHERE id = $1`,
      [merge.id, v.agentId, v.movedIdentityIds, v.movedConversationIds, v.sourceName, v.targetName],
      m,
    );
  }

  async markRejected(m: EntityManager, id: string, agentId: string): Promise<void> {
    await this.db.query(
      `UPDATE contact_merge SET status = 'rejected', decided_by = $2, decided_at = now() WHERE id = $1`,
      [id, agentId],
      m,
    );
  }

  /** Undo: the absorbed file stands on its own again; the kept one loses the name it took from it. */
  async markUndone(m: EntityManager, merge: ContactMergeRow, agentId: string): Promise<void> {
    await this.db.query(
      `UPDATE contact SET name = CASE WHEN $2::text IS NULL AND name IS NOT DISTINCT FROM $3 THEN NULL ELSE name END,
              updated_at = now()
        WHERE id = $1`,
      [merge.target_contact_id, merge.target_previous_name, merge.source_name],
      m,
    );
    await this.db.query(
      `UPDATE contact SET merged_into_id = NULL, updated_at = now() WHERE id = $1`,
      [merge.source_contact_id],
      m,
    );
    await this.db.query(
      `UPDATE contact_merge SET status = 'undone', undone_by = $2, undone_at = now() WHERE id = $1`,
      [merge.id, agentId],
      m,
    );
  }
}
