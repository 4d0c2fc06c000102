import { Injectable } from '@nestjs/common';
import type { ContactMergeDto, ContactMergeFileDto, ContactMergeStatus, IdentityKind } from '@guichet/contracts';
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
  kept_name: string | null;
  /** The identity rows the confirmation removed, whole (`to_jsonb`), for the undo. */
  dropped_identities: { id: string; contact_id: string; kind: IdentityKind; value: string }[];
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
  dropped_identities: number;
}

const LIST_SQL = `
  SELECT m.id, m.status, m.target_contact_id, t.name AS target_name, m.source_contact_id, s.name AS source_name_now,
         m.source_name, m.reason, m.proposed_by, pa.name AS proposed_by_name, m.proposed_at,
         m.decided_by, da.name AS decided_by_name, m.decided_at, m.undone_at,
         cardinality(m.moved_identity_ids) AS moved_identities, cardinality(m.moved_conversation_ids) AS moved_conversations,
         jsonb_array_length(m.dropped_identities) AS dropped_identities
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
    droppedIdentities: Number(r.dropped_identities),
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
              moved_identity_ids, moved_conversation_ids, source_name, target_previous_name,
              kept_name, dropped_identities
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

  /** One file as the supervisor compares it (side by side): name, identities, conversations, registrations. */
  async file(organizationId: string, contactId: string): Promise<ContactMergeFileDto | null> {
    const [row] = await this.db.query<ContactMergeFileDto>(
      `SELECT c.id, c.name,
              coalesce((SELECT json_agg(json_build_object('id', i.id, 'kind', i.kind, 'value', i.value) ORDER BY i.kind, i.value)
                          FROM contact_identity i WHERE i.contact_id = c.id), '[]') AS identities,
              coalesce((SELECT json_agg(json_build_object('id', v.id, 'reference', v.reference, 'subject', v.subject,
                                          'status', v.status, 'team', t.name, 'createdAt', v.created_at) ORDER BY v.created_at DESC)
                          FROM conversation v JOIN team t ON t.id = v.team_id WHERE v.contact_id = c.id), '[]') AS conversations,
              coalesce((SELECT json_agg(json_build_object('id', r.id, 'event', e.title, 'startsAt', e.starts_at,
                                          'status', r.status, 'places', r.places) ORDER BY e.starts_at DESC)
                          FROM municipal_event_registration r JOIN municipal_event e ON e.id = r.event_id
                         WHERE r.contact_id = c.id), '[]') AS registrations
         FROM contact c WHERE c.organization_id = $1 AND c.id = $2`,
      [organizationId, contactId],
    );
    return row ?? null;
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

  /**
   * Removes identities from the files (the supervisor did not keep them) and answers their rows,
   * whole, for the merge to keep and an undo to put back.
   */
  async dropIdentities(m: EntityManager, ids: string[]): Promise<ContactMergeRow['dropped_identities']> {
    if (!ids.length) return [];
    const rows = await this.db.query<{ row: ContactMergeRow['dropped_identities'][number] }>(
      `DELETE FROM contact_identity ci WHERE id = ANY($1::uuid[]) RETURNING to_jsonb(ci) AS row`,
      [ids],
      m,
    );
    return rows.map((r) => r.row);
  }

  /** An undo: the identities a merge removed, back as they were (same ids and columns); 23505 if one was taken since. */
  async restoreIdentities(m: EntityManager, rows: ContactMergeRow['dropped_identities']): Promise<number> {
    if (!rows.length) return 0;
    const restored = await this.db.query<{ id: string }>(
      `INSERT INTO contact_identity SELECT * FROM jsonb_populate_recordset(NULL::contact_identity, $1::jsonb) RETURNING id`,
      [JSON.stringify(rows)],
      m,
    );
    return restored.length;
  }

  /** The kept file bears the chosen name (its own, or the absorbed one's); the absorbed one points to it. */
  async markMerged(
    m: EntityManager,
    merge: ContactMergeRow,
    v: {
      agentId: string;
      movedIdentityIds: string[];
      movedConversationIds: string[];
      sourceName: string | null;
      targetName: string | null;
      keptName: string | null;
      droppedIdentities: ContactMergeRow['dropped_identities'];
    },
  ): Promise<void> {
    await this.db.query(
      `UPDATE contact SET name = $2, updated_at = now() WHERE id = $1`,
      [merge.target_contact_id, v.keptName],
      m,
    );
    await this.db.query(
      `UPDATE contact SET merged_into_id = $2, updated_at = now() WHERE id = $1`,
      [merge.source_contact_id, merge.target_contact_id],
      m,
    );
    await this.db.query(
      `UPDATE contact_merge SET status = 'merged', decided_by = $2, decided_at = now(), moved_identity_ids = $3,
              moved_conversation_ids = $4, source_name = $5, target_previous_name = $6, kept_name = $7,
              dropped_identities = $8::jsonb
        WHERE id = $1`,
      [
        merge.id,
        v.agentId,
        v.movedIdentityIds,
        v.movedConversationIds,
        v.sourceName,
        v.targetName,
        v.keptName,
        JSON.stringify(v.droppedIdentities),
      ],
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

  /**
   * Undo: the absorbed file stands on its own again; the kept one bears its name from before the
   * merge again, unless renamed since (a rectification is kept).
   */
  async markUndone(m: EntityManager, merge: ContactMergeRow, agentId: string): Promise<void> {
    await this.db.query(
      `UPDATE contact SET name = CASE WHEN name IS NOT DISTINCT FROM $3 THEN $2 ELSE name END, updated_at = now()
        WHERE id = $1`,
      [merge.target_contact_id, merge.target_previous_name, merge.kept_name],
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
