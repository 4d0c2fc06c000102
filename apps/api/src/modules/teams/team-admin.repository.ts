import { Injectable } from '@nestjs/common';
import {
  serviceOpeningHours,
  weekdayOpeningHours,
  type ChannelKind,
  type OpeningHours,
  type ResponseTarget,
  type ServiceOpeningHours,
  type TeamAdminDto,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';

const TEAM_SELECT = `SELECT t.id, t.name, t.slug, t.archived_at IS NOT NULL AS archived, t.description, t.contact,
  array(SELECT agent_id FROM agent_team WHERE team_id = t.id ORDER BY agent_id) AS "memberIds",
  t.opening_hours AS "openingHours", t.response_targets AS "responseTargets", t.signature FROM team t`;

/** The row with its opening hours as admins edit them (per weekday name; stored per weekday number, as counted). */
const toDto = (row: Omit<TeamAdminDto, 'openingHours'> & { openingHours: ServiceOpeningHours | null }): TeamAdminDto => ({
  ...row,
  openingHours: row.openingHours ? weekdayOpeningHours(row.openingHours) : null,
});

/** Services as admins manage them: archived ones, description, contact details and members. */
@Injectable()
export class TeamAdminRepository {
  constructor(private readonly db: Database) {}

  async list(organizationId: string): Promise<TeamAdminDto[]> {
    const rows = await this.db.query<Parameters<typeof toDto>[0]>(
      `${TEAM_SELECT} WHERE t.organization_id = $1 ORDER BY t.archived_at IS NOT NULL, t.name`,
      [organizationId],
    );
    return rows.map(toDto);
  }

  async get(manager: EntityManager, organizationId: string, id: string, lock = false): Promise<TeamAdminDto | null> {
    const [row] = await this.db.query<Parameters<typeof toDto>[0]>(
      `${TEAM_SELECT} WHERE t.organization_id = $1 AND t.id = $2${lock ? ' FOR UPDATE OF t' : ''}`,
      [organizationId, id],
      manager,
    );
    return row ? toDto(row) : null;
  }

  /** A new service; its slug is derived from the name, with a suffix when taken. */
  async insert(
    manager: EntityManager,
    organizationId: string,
    t: { name: string; slug: string; description?: string; contact?: object },
  ): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO team (organization_id, slug, name, description, contact)
       SELECT $1, CASE WHEN EXISTS (SELECT 1 FROM team WHERE organization_id = $1 AND slug = $2)
                       THEN $2 || '-' || substr(md5(random()::text), 1, 4) ELSE $2 END, $3, $4, $5::jsonb
       RETURNING id`,
      [organizationId, t.slug, t.name, t.description ?? null, pgJson(t.contact ?? {})],
      manager,
    );
    return row!.id;
  }

  /**
   * `openingHours`: null follows the organization's; a week with no opening at all is stored as
   * null too (a service that never opens would have no response target at all). `signature`:
   * null or empty follows the organization's.
   */
  async update(
    manager: EntityManager,
    id: string,
    c: {
      name?: string;
      archived?: boolean;
      description?: string;
      contact?: object;
      openingHours?: OpeningHours | null;
      responseTargets?: Partial<Record<ChannelKind, ResponseTarget>>;
      signature?: string | null;
    },
  ): Promise<void> {
    const hours = c.openingHours === undefined ? undefined : serviceOpeningHours(c.openingHours);
    await this.db.query(
      `UPDATE team SET name = coalesce($2, name),
         archived_at = CASE WHEN $3::boolean IS NULL THEN archived_at WHEN $3 THEN coalesce(archived_at, now()) ELSE NULL END,
         description = CASE WHEN $4::boolean THEN nullif($5, '') ELSE description END,
         contact = coalesce($6::jsonb, contact),
         opening_hours = CASE WHEN $7::boolean THEN $8::jsonb ELSE opening_hours END,
         response_targets = coalesce($9::jsonb, response_targets),
         signature = CASE WHEN $10::boolean THEN nullif($11, '') ELSE signature END
       WHERE id = $1`,
      [
        id,
        c.name ?? null,
        c.archived ?? null,
        c.description !== undefined,
        c.description ?? null,
        c.contact ? pgJson(c.contact) : null,
        hours !== undefined,
        hours ? pgJson(hours) : null,
        c.responseTargets ? pgJson(c.responseTargets) : null,
        c.signature !== undefined,
        c.signature ?? null,
      ],
      manager,
    );
  }

  /** Replaces the members; false when one is not an agent of the organization. */
  async setMembers(manager: EntityManager, organizationId: string, teamId: string, agentIds: string[]): Promise<boolean> {
    const [known] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM agent WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, agentIds],
      manager,
    );
    if (known!.n !== agentIds.length) return false;
    await this.db.query(
      `DELETE FROM agent_team WHERE team_id = $1 AND NOT (agent_id = ANY($2::uuid[]))`,
      [teamId, agentIds],
      manager,
    );
    await this.db.query(
      `INSERT INTO agent_team (agent_id, team_id) SELECT unnest($2::uuid[]), $1 ON CONFLICT DO NOTHING`,
      [teamId, agentIds],
      manager,
    );
    return true;
  }
}
