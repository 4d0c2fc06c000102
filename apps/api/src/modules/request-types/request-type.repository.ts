import { Injectable } from '@nestjs/common';
import type {
  ChannelKind,
  Closure,
  OpeningHours,
  CreateRequestTypeInput,
  DecisionRegime,
  DeadlineUnit,
  ServiceOpeningHours,
  PublicRequestTypeDto,
  RequestTypeDto,
  ResponseTarget,
  UpdateRequestTypeInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

interface RequestTypeRow {
  id: string;
  team_id: string;
  name: string;
  description: string;
  decision_regime: DecisionRegime;
  deadline_amount: number | null;
  deadline_unit: DeadlineUnit | null;
  documents: string[];
  acknowledgement_exempt: boolean;
  active: boolean;
}

const COLUMNS = `id, team_id, name, description, decision_regime, deadline_amount, deadline_unit, documents,
  acknowledgement_exempt, active`;

export const toRequestTypeDto = (r: RequestTypeRow): RequestTypeDto => ({
  id: r.id,
  teamId: r.team_id,
  name: r.name,
  description: r.description,
  decisionRegime: r.decision_regime,
  deadline: r.deadline_amount && r.deadline_unit ? { amount: r.deadline_amount, unit: r.deadline_unit } : null,
  documents: r.documents,
  acknowledgementExempt: r.acknowledgement_exempt,
  active: r.active,
});

/** What the due dates of a conversation are computed from (besides its request type). */
export interface DueInputsRow {
  created_at: Date;
  first_channel_kind: ChannelKind | null;
  documents_requested_at: Date | null;
  documents_received_at: Date | null;
  /** The service's own opening hours (null: the organization's, else the usual town-hall hours). */
  opening_hours: ServiceOpeningHours | null;
  /** The organization's opening hours (no slot on any day: none set). */
  organization_hours: OpeningHours | null;
  response_targets: Partial<Record<ChannelKind, ResponseTarget>>;
  /** The organization keeps Alsace-Moselle's two extra public holidays (Good Friday, 26 December). */
  alsace_moselle: boolean;
  /** The organization's exceptional closing days (its admin sets them). */
  closures: Closure[];
}

/** Request types (démarches) of the services, and the team settings their due dates depend on. */
@Injectable()
export class RequestTypeRepository {
  constructor(private readonly db: Database) {}

  async list(organizationId: string, f: { teamId?: string; includeInactive?: boolean }): Promise<RequestTypeDto[]> {
    const params: unknown[] = [organizationId];
    let where = 'organization_id = $1';
    if (f.teamId) {
      params.push(f.teamId);
      where += ` AND team_id = $2`;
    }
    if (!f.includeInactive) where += ' AND active';
    const rows = await this.db.query<RequestTypeRow>(
      `SELECT ${COLUMNS} FROM request_type WHERE ${where} ORDER BY team_id, lower(name)`,
      params,
    );
    return rows.map(toRequestTypeDto);
  }

  /** The active types of every service, for the citizen form. */
  async publicByTeam(organizationId: string): Promise<Map<string, PublicRequestTypeDto[]>> {
    const out = new Map<string, PublicRequestTypeDto[]>();
    for (const t of await this.list(organizationId, {})) {
      const list = out.get(t.teamId) ?? [];
      list.push({
        id: t.id,
        name: t.name,
        description: t.description,
        decisionRegime: t.decisionRegime,
        deadline: t.deadline,
        documents: t.documents,
      });
      out.set(t.teamId, list);
    }
    return out;
  }

  async find(organizationId: string, id: string, manager?: EntityManager): Promise<RequestTypeDto | null> {
    const [row] = await this.db.query<RequestTypeRow>(
      `SELECT ${COLUMNS} FROM request_type WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
      manager,
    );
    return row ? toRequestTypeDto(row) : null;
  }

  /** Null when the service already has a type of that name (any case). */
  async insert(manager: EntityManager, organizationId: string, v: CreateRequestTypeInput): Promise<RequestTypeDto | null> {
    const [row] = await manager.query(
      `INSERT INTO request_type (organization_id, team_id, name, description, decision_regime, deadline_amount, deadline_unit,
                                 documents, acknowledgement_exempt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (team_id, lower(name)) DO NOTHING RETURNING ${COLUMNS}`,
      [
        organizationId,
        v.teamId,
        v.name,
        v.description,
        v.decisionRegime,
        v.deadline?.amount ?? null,
        v.deadline?.unit ?? null,
        v.documents,
        v.acknowledgementExempt,
      ],
    );
    return row ? toRequestTypeDto(row as RequestTypeRow) : null;
  }

  /** Null when another type of the service has the new name. */
  async update(
    manager: EntityManager,
    organizationId: string,
    id: string,
    v: UpdateRequestTypeInput,
  ): Promise<RequestTypeDto | 'duplicate' | null> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [organizationId, id];
    const set = (col: string, value: unknown) => {
      params.push(value);
      sets.push(`${col} = $${params.length}`);
    };
    if (v.name !== undefined) set('name', v.name);
    if (v.description !== undefined) set('description', v.description);
    if (v.decisionRegime !== undefined) set('decision_regime', v.decisionRegime);
    if (v.deadline !== undefined) {
      set('deadline_amount', v.deadline?.amount ?? null);
      set('deadline_unit', v.deadline?.unit ?? null);
    }
    if (v.documents !== undefined) set('documents', v.documents);
    if (v.acknowledgementExempt !== undefined) set('acknowledgement_exempt', v.acknowledgementExempt);
    if (v.active !== undefined) set('active', v.active);
    try {
      const [row] = await manager.query(
        `UPDATE request_type SET ${sets.join(', ')} WHERE organization_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        params,
      );
      // TypeORM answers an UPDATE … RETURNING with [rows, count].
      const rows = (Array.isArray(row) ? row : [row]).filter(Boolean) as RequestTypeRow[];
      return rows[0] ? toRequestTypeDto(rows[0]) : null;
    } catch (e) {
      if ((e as { constraint?: string }).constraint === 'request_type_team_name_key') return 'duplicate';
      throw e;
    }
  }

  /** Conversations in progress of this type: their due dates follow a change of its rules. */
  async inProgressOfType(manager: EntityManager, id: string): Promise<string[]> {
    const rows = await manager.query(
      `SELECT id FROM conversation WHERE request_type_id = $1 AND status IN ('open', 'pending', 'snoozed')`,
      [id],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  /**
   * An organization's files in progress (of one service when `teamId` is given) that have due
   * dates or a type (keyset on id, after `after`), locked in turn by the caller's recomputation.
   */
  async inProgressWithDueDates(
    manager: EntityManager,
    organizationId: string,
    teamId: string | null,
    after: string | null,
    limit: number,
  ): Promise<{ id: string; request_type_id: string | null }[]> {
    return manager.query(
      `SELECT id, request_type_id FROM conversation
        WHERE organization_id = $1 AND status IN ('open', 'pending', 'snoozed')
          AND ($2::uuid IS NULL OR team_id = $2)
          AND (request_type_id IS NOT NULL OR response_due_at IS NOT NULL OR decision_due_at IS NOT NULL)
          AND ($3::uuid IS NULL OR id > $3)
        ORDER BY id LIMIT $4`,
      [organizationId, teamId, after, limit],
    );
  }

  /** The conversation's receipt, first channel, L114-5 dates and its service's settings. */
  async dueInputs(manager: EntityManager, conversationId: string): Promise<DueInputsRow | null> {
    const [row] = await manager.query(
      `SELECT c.created_at, c.documents_requested_at, c.documents_received_at, t.opening_hours, t.response_targets,
              o.opening_hours AS organization_hours, o.alsace_moselle, o.closures,
              (SELECT ch.kind FROM message m JOIN channel ch ON ch.id = m.channel_id
                WHERE m.conversation_id = c.id AND m.direction = 'inbound'
                ORDER BY m.created_at, m.id LIMIT 1) AS first_channel_kind
         FROM conversation c JOIN team t ON t.id = c.team_id JOIN organization o ON o.id = c.organization_id
        WHERE c.id = $1`,
      [conversationId],
    );
    return row ?? null;
  }

  /** The démarche the citizen chose on the form, kept with their first message. */
  async chosenOnForm(manager: EntityManager, conversationId: string): Promise<string | null> {
    const [row] = await manager.query(
      `SELECT m.meta->>'requestTypeId' AS id FROM message m
        WHERE m.conversation_id = $1 AND m.direction = 'inbound' ORDER BY m.created_at, m.id LIMIT 1`,
      [conversationId],
    );
    return row?.id ?? null;
  }
}
