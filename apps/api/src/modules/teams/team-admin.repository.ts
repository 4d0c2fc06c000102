import { Injectable } from '@nestjs/common';
import type { TeamAdminDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';

const TEAM_SELECT = `SELECT t.id, t.name, t.slug, t.archived_at IS NOT NULL AS archived, t.description, t.contact,
  array(SELECT agent_id FROM agent_team WHERE team_id = t.id ORDER BY agent_id) AS "memberIds" FROM team t`;

/** Services as admins manage them: archived ones, description, contact details and members. */
@Injectable()
export class TeamAdminRepository {
  constructor(private readonly db: Database) {}

  list(organizationId: string): Promise<TeamAdminDto[]> {
    return this.db.query<TeamAdminDto>(`${TEAM_SELECT} WHERE t.organization_id = $1 ORDER BY t.archived_at IS NOT NULL, t.name`, [
      organizationId,
    ]);
  }

  async get(manager: EntityManager, organizationId: string, id: string, lock = false): Promise<TeamAdminDto | null> {
    const [row] = await this.db.query<TeamAdminDto>(
      `${TEAM_SELECT} WHERE t.organization_id = $1 AND t.id = $2${lock ? ' FOR UPDATE OF t' : ''}`,
      [organizationId, id],
      manager,
    );
    return row ?? null;
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

  async update(
    manager: EntityManager,
    id: string,
    c: { name?: string; archived?: boolean; description?: string; contact?: object },
  ): Promise<void> {
    await this.db.query(
      `UPDATE team SET name = coalesce($2, name),
         archived_at = CASE WHEN $3::boolean IS NULL THEN archived_at WHEN $3 THEN coalesce(archived_at, now()) ELSE NULL END,
         description = CASE WHEN $4::boolean THEN nullif($5, '') ELSE description END,
         contact = coalesce($6::jsonb, contact)
       WHERE id = $1`,
      [
        id,
        c.name ?? null,
        c.archived ?? null,
        c.description !== undefined,
        c.description ?? null,
        c.contact ? pgJson(c.contact) : null,
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
