import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  formatReference,
  normalizeEmail,
  normalizePhone,
  referenceSearched,
  type ChannelKind,
  type IdentityKind,
  type ConversationCountsDto,
  type ConversationStatus,
  type Priority,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';
import { CONVERSATION_COLUMNS, type ConversationRow } from './conversation.mapper';

export interface ConversationFilter {
  organizationId: string;
  /** Restrict to these teams or to conversations assigned to `orSelf` (plain agents). */
  visibleTeamIds?: string[];
  orSelf?: string;
  status?: ConversationStatus;
  teamId?: string;
  assigneeId?: string | null;
  channel?: ChannelKind;
  q?: string;
  after?: [string, string];
  limit: number;
}

export interface ConversationChanges {
  status?: ConversationStatus;
  priority?: Priority;
  teamId?: string;
  assigneeId?: string | null;
  snoozedUntil?: string | null;
}

/** A phone or e-mail typed in the search box also finds the citizen by identity. */
function identityCandidates(q: string): string[] {
  const out: string[] = [];
  for (const f of [normalizeEmail, normalizePhone]) {
    try {
      out.push(f(q));
    } catch {
      /* not that kind */
    }
  }
  return out;
}

@Injectable()
export class ConversationRepository {
  constructor(private readonly db: Database) {}

  /** Inbox lists: newest activity first, keyset pagination on (last_message_at, id). */
  list(f: ConversationFilter): Promise<ConversationRow[]> {
    const params: unknown[] = [f.organizationId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['c.organization_id = $1'];
    if (f.visibleTeamIds) {
      where.push(`(c.team_id = ANY(${p(f.visibleTeamIds)}::uuid[]) OR c.assignee_id = ${p(f.orSelf)})`);
    }
    if (f.teamId) where.push(`c.team_id = ${p(f.teamId)}`);
    if (f.status) where.push(`c.status = ${p(f.status)}`);
    if (f.assigneeId === null) where.push('c.assignee_id IS NULL');
    else if (f.assigneeId) where.push(`c.assignee_id = ${p(f.assigneeId)}`);
    if (f.channel) {
      where.push(`EXISTS (SELECT 1 FROM message m JOIN channel ch ON ch.id = m.channel_id
                          WHERE m.conversation_id = c.id AND ch.kind = ${p(f.channel)})`);
    }
    if (f.q) {
      const tsq = `websearch_to_tsquery('guichet_fr', ${p(f.q)})`;
      const ids = identityCandidates(f.q);
      // An agent limited to some services finds a conversation by its citizen's name or identity
      // only when that conversation holds them: searching must not tell who owns a number elsewhere.
      const held = !!f.visibleTeamIds;
      // A reference finds its file by the reference column, whatever text search makes of the subject.
      const reference = referenceSearched(f.q);
      where.push(`c.id IN (
        SELECT m.conversation_id FROM message m WHERE m.organization_id = $1 AND m.search @@ ${tsq}
        UNION SELECT c2.id FROM conversation c2 WHERE c2.organization_id = $1 AND c2.search @@ ${tsq}
        UNION SELECT c3.id FROM conversation c3 JOIN contact k ON k.id = c3.contact_id
               WHERE k.organization_id = $1 AND k.search @@ ${tsq}${held ? ` AND to_tsvector('guichet_fr', coalesce(c3.citizen_name, '')) @@ ${tsq}` : ''}
        ${
          ids.length
            ? `UNION SELECT c4.id FROM conversation c4 JOIN contact_identity i ON i.contact_id = c4.contact_id
                WHERE i.organization_id = $1 AND i.value = ANY(${p(ids)}::text[])${held ? ' AND i.id = ANY(c4.identity_ids)' : ''}`
            : ''
        }
        ${reference ? `UNION SELECT c5.id FROM conversation c5 WHERE c5.organization_id = $1 AND c5.reference = ${p(reference)}` : ''})`);
    }
    if (f.after) {
      where.push(`(c.last_message_at, c.id) < (${p(f.after[0])}::timestamptz, ${p(f.after[1])}::uuid)`);
    }
    return this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS}
         FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE ${where.join(' AND ')}
        ORDER BY c.last_message_at DESC, c.id DESC
        LIMIT ${p(f.limit)}`,
      params,
    );
  }

  /** Counters of the in-progress conversations (the closed history is not counted on each refresh). */
  async counts(organizationId: string, agentId: string, visibleTeamIds?: string[]): Promise<ConversationCountsDto> {
    const params: unknown[] = [organizationId, agentId];
    let scope = `organization_id = $1 AND status IN ('open', 'pending', 'snoozed')`;
    if (visibleTeamIds) {
      params.push(visibleTeamIds);
      scope += ` AND (team_id = ANY($3::uuid[]) OR assignee_id = $2)`;
    }
    const rows = await this.db.query<{
      team_id: string;
      status: string;
      mine: number;
      unassigned: number;
      callback: number;
      n: number;
    }>(
      `SELECT team_id, status, count(*)::int AS n,
              count(*) FILTER (WHERE assignee_id = $2 AND status <> 'snoozed')::int AS mine,
              count(*) FILTER (WHERE assignee_id IS NULL AND status = 'open')::int AS unassigned,
              count(*) FILTER (WHERE callback_needed)::int AS callback
         FROM conversation WHERE ${scope} GROUP BY team_id, status`,
      params,
    );
    const out: ConversationCountsDto = {
      mine: 0,
      unassigned: 0,
      callbackNeeded: 0,
      byStatus: { open: 0, pending: 0, snoozed: 0 },
      byTeam: {},
    };
    for (const r of rows) {
      out.mine += r.mine;
      out.unassigned += r.unassigned;
      out.callbackNeeded += r.callback;
      out.byStatus[r.status as keyof ConversationCountsDto['byStatus']] += r.n;
      if (r.status === 'open') out.byTeam[r.team_id] = (out.byTeam[r.team_id] ?? 0) + r.n;
    }
    return out;
  }

  async findById(organizationId: string, id: string, manager?: EntityManager, lock = false): Promise<ConversationRow | null> {
    const [row] = await this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE c.organization_id = $1 AND c.id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [organizationId, id],
      manager,
    );
    return row ?? null;
  }

  async findByReference(reference: string, manager?: EntityManager): Promise<ConversationRow | null> {
    const [row] = await this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id WHERE c.reference = $1`,
      [reference],
      manager,
    );
    return row ?? null;
  }

  async forContact(organizationId: string, contactId: string, limit = 50): Promise<ConversationRow[]> {
    return this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE c.organization_id = $1 AND c.contact_id = $2 ORDER BY c.last_message_at DESC LIMIT $3`,
      [organizationId, contactId, limit],
    );
  }

  /** An identity an agent typed becomes held by these conversations (those they may read), so they keep seeing it. */
  async holdIdentity(manager: EntityManager, conversationIds: string[], identityId: string): Promise<void> {
    await manager.query(
      `UPDATE conversation SET identity_ids = identity_ids || $2::uuid WHERE id = ANY($1::uuid[]) AND NOT $2::uuid = ANY(identity_ids)`,
      [conversationIds, identityId],
    );
  }

  /** The contact's most recent conversation still in progress (SMS, WhatsApp, Messenger threading). */
  async latestOpenId(manager: EntityManager, contactId: string): Promise<string | null> {
    const [row] = await manager.query(
      `SELECT id FROM conversation WHERE contact_id = $1 AND status IN ('open', 'pending', 'snoozed')
        ORDER BY last_message_at DESC LIMIT 1`,
      [contactId],
    );
    return row?.id ?? null;
  }

  /**
   * Inserts a conversation with a fresh unique public reference. It holds `identity` (the address
   * written to) and the name given (else the one its service already holds for this citizen).
   */
  async insert(
    manager: EntityManager,
    v: {
      organizationId: string;
      contactId: string;
      teamId: string;
      subject: string | null;
      possiblyRelatedToId?: string | null;
      at: Date;
      identity: { kind: IdentityKind; value: string };
      citizenName?: string | null;
    },
  ): Promise<string> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const [row] = await manager.query(
        `INSERT INTO conversation (organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                   created_at, last_message_at, citizen_name, identity_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7,
                 coalesce($8, (SELECT c.citizen_name FROM conversation c WHERE c.contact_id = $3 AND c.team_id = $4
                                  AND c.citizen_name IS NOT NULL ORDER BY c.last_message_at DESC LIMIT 1)),
                 ARRAY(SELECT i.id FROM contact_identity i WHERE i.contact_id = $3 AND i.kind = $9 AND i.value = $10))
         ON CONFLICT (reference) DO NOTHING RETURNING id`,
        [
          v.organizationId,
          formatReference(randomBytes(6)),
          v.contactId,
          v.teamId,
          v.subject,
          v.possiblyRelatedToId ?? null,
          v.at,
          v.citizenName?.trim().slice(0, 200) || null,
          v.identity.kind,
          v.identity.value,
        ],
      );
      if (row) return row.id;
    }
    throw new Error('could not allocate a unique conversation reference');
  }

  /** An agent reply or note. Replies count as the first response; both mark the file read. */
  async touchOutbound(
    manager: EntityManager,
    id: string,
    v: { snippet: string; channelKind: ChannelKind | null; isReply: boolean },
  ): Promise<void> {
    await manager.query(
      `UPDATE conversation SET
         last_message_at = GREATEST(last_message_at, now()),
         snippet = $2, last_channel_kind = coalesce($3, last_channel_kind), unread = false,
         first_response_at = CASE WHEN $4 THEN coalesce(first_response_at, now()) ELSE first_response_at END,
         version = version + 1
       WHERE id = $1`,
      [id, v.snippet, v.channelKind, v.isReply],
    );
  }

  async update(manager: EntityManager, id: string, c: ConversationChanges): Promise<void> {
    const sets: string[] = ['version = version + 1'];
    const params: unknown[] = [id];
    const set = (col: string, v: unknown) => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (c.status !== undefined) {
      set('status', c.status);
      sets.push(
        `resolved_at = CASE WHEN $${params.length} IN ('resolved', 'closed') THEN coalesce(resolved_at, now()) ELSE NULL END`,
      );
      if (c.status !== 'snoozed') sets.push('snoozed_until = NULL');
    }
    if (c.priority !== undefined) set('priority', c.priority);
    if (c.teamId !== undefined) set('team_id', c.teamId);
    if (c.assigneeId !== undefined) set('assignee_id', c.assigneeId);
    if (c.snoozedUntil !== undefined) set('snoozed_until', c.snoozedUntil);
    await manager.query(`UPDATE conversation SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  /** What the access rule needs (canRead) for these conversations of the organization. */
  accessRows(
    organizationId: string,
    ids: string[],
  ): Promise<Pick<ConversationRow, 'id' | 'organization_id' | 'team_id' | 'assignee_id'>[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.query(
      `SELECT id, organization_id, team_id, assignee_id FROM conversation WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
  }

  /** A deactivated agent's conversations still in progress go back to their service (unassigned). */
  async releaseAssigned(manager: EntityManager, agentId: string): Promise<{ id: string; contact_id: string }[]> {
    return this.db.query(
      `UPDATE conversation SET assignee_id = NULL, version = version + 1
        WHERE assignee_id = $1 AND status IN ('open', 'pending', 'snoozed') RETURNING id, contact_id`,
      [agentId],
      manager,
    );
  }

  /** Snoozed conversations whose date has come: open again, unread, version bumped. */
  wakeSnoozed(manager?: EntityManager): Promise<{ id: string; organization_id: string }[]> {
    return this.db.query(
      `UPDATE conversation SET status = 'open', snoozed_until = NULL, unread = true, version = version + 1
        WHERE status = 'snoozed' AND snoozed_until <= now() RETURNING id, organization_id`,
      [],
      manager,
    );
  }

  /** The enabled channel of this kind a new conversation goes out on: the service's own first, else the organization's. */
  async outboundChannelFor(
    manager: EntityManager,
    organizationId: string,
    kind: ChannelKind,
    teamId: string,
  ): Promise<{ id: string; kind: ChannelKind } | null> {
    const [row] = await manager.query(
      `SELECT id, kind FROM channel WHERE organization_id = $1 AND kind = $2 AND enabled
        ORDER BY (team_id = $3) DESC, created_at LIMIT 1`,
      [organizationId, kind, teamId],
    );
    return row ?? null;
  }

  /** Puts a failed reply of this conversation back to "queued" for another try; false when it is not a failed reply. */
  async requeueFailedReply(manager: EntityManager, conversationId: string, messageId: string): Promise<boolean> {
    const rows = await manager.query(
      `WITH u AS (
         UPDATE message SET status = 'queued', error = NULL
          WHERE id = $1 AND conversation_id = $2 AND direction = 'outbound' AND kind = 'message' AND status = 'failed'
          RETURNING id
       ) SELECT id FROM u`,
      [messageId, conversationId],
    );
    return rows.length > 0;
  }

  /** Reading does not make anyone's draft stale: no version bump. True when it was unread. */
  async markRead(id: string): Promise<boolean> {
    const rows = await this.db.query(`UPDATE conversation SET unread = false WHERE id = $1 AND unread RETURNING id`, [id]);
    return rows.length > 0;
  }

  /** The channel of the citizen's last inbound message (where a reply goes by default). */
  async lastInboundChannelId(manager: EntityManager, conversationId: string): Promise<string | undefined> {
    const [last] = await manager.query(
      `SELECT channel_id FROM message WHERE conversation_id = $1 AND direction = 'inbound' AND channel_id IS NOT NULL
          ORDER BY created_at DESC LIMIT 1`,
      [conversationId],
    );
    return last?.channel_id;
  }

  /** The citizen's oldest identity of that kind, with its opt-out (null when it has none). */
  async replyIdentity(manager: EntityManager, contactId: string, kind: string): Promise<{ opted_out_at: Date | null } | null> {
    const [identity] = await manager.query(
      `SELECT opted_out_at FROM contact_identity WHERE contact_id = $1 AND kind = $2 ORDER BY created_at LIMIT 1`,
      [contactId, kind],
    );
    return identity ?? null;
  }

  /** True when a message of this conversation came or went through this channel. */
  async channelUsed(manager: EntityManager, conversationId: string, channelId: string): Promise<boolean> {
    const [used] = await manager.query(`SELECT 1 FROM message WHERE conversation_id = $1 AND channel_id = $2 LIMIT 1`, [
      conversationId,
      channelId,
    ]);
    return Boolean(used);
  }
}
