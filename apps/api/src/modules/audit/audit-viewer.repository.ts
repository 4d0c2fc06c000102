import { Injectable } from '@nestjs/common';
import type { AuditEventDto, AuditFilter } from '@guichet/contracts';
import { Database } from '../../common/database';

/**
 * A service's part of the audit: the events written while the file was the service's (their
 * services are fixed when written: AuditEventTeams1765030000000), so a transfer moves a file, not
 * its past.
 */
const IN_TEAMS = (teams: string) => `e.team_ids && ${teams}`;

/** Reading the audit log (it is written by infra/audit and never edited from the app). */
@Injectable()
export class AuditViewerRepository {
  constructor(private readonly db: Database) {}

  /**
   * Newest first, keyset on the event id (`before`: the last id of the previous page). `scope` (a
   * supervisor's services) keeps that part of the organization's log; null is all of it.
   */
  async page(
    organizationId: string,
    q: AuditFilter & { before?: string; limit: number },
    scope: string[] | null,
  ): Promise<AuditEventDto[]> {
    const rows = await this.db.query<{
      id: string;
      at: Date;
      action: string;
      agent_id: string | null;
      agent_name: string | null;
      conversation_id: string | null;
      reference: string | null;
      contact_id: string | null;
      data: Record<string, unknown> | null;
      ip: string | null;
      session_id: string | null;
    }>(
      `SELECT e.id::text AS id, e.created_at AS at, e.action, e.agent_id, a.name AS agent_name, e.conversation_id,
              c.reference, e.contact_id, e.data, host(e.ip) AS ip, e.session_id
         FROM audit_event e
         LEFT JOIN agent a ON a.id = e.agent_id
         LEFT JOIN conversation c ON c.id = e.conversation_id
        WHERE e.organization_id = $1
          AND ($2::uuid IS NULL OR e.contact_id = $2)
          AND ($3::uuid IS NULL OR e.agent_id = $3)
          AND ($4::uuid IS NULL OR e.conversation_id = $4)
          AND ($5::timestamptz IS NULL OR e.created_at >= $5)
          AND ($6::timestamptz IS NULL OR e.created_at < $6)
          AND ($7::bigint IS NULL OR e.id < $7)
          AND ($8::uuid[] IS NULL OR ${IN_TEAMS('$8::uuid[]')})
          AND ($10::uuid IS NULL OR ${IN_TEAMS('ARRAY[$10::uuid]')})
        ORDER BY e.id DESC
        LIMIT $9`,
      [
        organizationId,
        q.contactId ?? null,
        q.agentId ?? null,
        q.conversationId ?? null,
        q.from ?? null,
        q.to ?? null,
        q.before ?? null,
        scope,
        q.limit,
        q.teamId ?? null,
      ],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      action: r.action,
      agent: r.agent_id ? { id: r.agent_id, name: r.agent_name ?? '' } : null,
      conversationId: r.conversation_id,
      conversationReference: r.reference,
      contactId: r.contact_id,
      data: r.data,
      ip: r.ip,
      sessionId: r.session_id,
    }));
  }
}
