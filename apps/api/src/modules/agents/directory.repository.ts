import { Injectable } from '@nestjs/common';
import {
  organizationLogoPath,
  type AgentAdminDto,
  type AgentDto,
  type AgentRole,
  type MeDto,
  type OrganizationDto,
  type TeamDto,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { NO_PASSWORD } from '../../common/password';
import { byFrenchName } from '../../common/french-order';

interface AgentRow {
  id: string;
  name: string;
  email: string;
  role: AgentRole;
  capacity: number;
  team_ids: string[];
}

const toAgentDto = (r: AgentRow): AgentDto => ({
  id: r.id,
  name: r.name,
  email: r.email,
  role: r.role,
  capacity: r.capacity,
  teamIds: r.team_ids,
});

const AGENT_SELECT = `SELECT a.id, a.name, a.email, a.role, a.capacity, a.active,
  array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids FROM agent a`;

/** Teams and agents of an organization. */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  /** The organization's services in French order (accents and case do not push « État civil » to the end). */
  async teams(organizationId: string): Promise<TeamDto[]> {
    return byFrenchName(
      await this.db.query<TeamDto>(`SELECT id, name, slug FROM team WHERE organization_id = $1`, [organizationId]),
    );
  }

  /** A service's name and its organization's (the town the citizen wrote to). */
  async teamWithOrganization(teamId: string): Promise<{ name: string; organization: string } | null> {
    const [row] = await this.db.query<{ name: string; organization: string }>(
      `SELECT t.name, o.name AS organization FROM team t JOIN organization o ON o.id = t.organization_id WHERE t.id = $1`,
      [teamId],
    );
    return row ?? null;
  }

  async team(organizationId: string, teamId: string, manager?: EntityManager): Promise<TeamDto | null> {
    const [row] = await this.db.query<TeamDto>(
      `SELECT id, name, slug FROM team WHERE organization_id = $1 AND id = $2`,
      [organizationId, teamId],
      manager,
    );
    return row ?? null;
  }

  async me(organizationId: string, agentId: string): Promise<MeDto | null> {
    const agent = await this.agent(organizationId, agentId);
    if (!agent) return null;
    const [row] = await this.db.query<OrganizationDto & { platform_admin: boolean; logo_sha256: string | null }>(
      `SELECT o.id, o.name, o.slug, o.logo_sha256, a.platform_admin FROM organization o JOIN agent a ON a.organization_id = o.id
        WHERE o.id = $1 AND a.id = $2`,
      [organizationId, agentId],
    );
    const { platform_admin, logo_sha256, ...organization } = row!;
    const logo = logo_sha256 ? { logo: organizationLogoPath(organization.slug, logo_sha256) } : {};
    return { ...agent, organization: { ...organization, ...logo }, platformAdmin: platform_admin };
  }

  async agents(organizationId: string): Promise<AgentDto[]> {
    const rows = await this.db.query<AgentRow>(`${AGENT_SELECT} WHERE a.organization_id = $1 AND a.active ORDER BY a.name`, [
      organizationId,
    ]);
    return rows.map(toAgentDto);
  }

  async agent(organizationId: string, agentId: string, manager?: EntityManager): Promise<AgentDto | null> {
    const [row] = await this.db.query<AgentRow>(
      `${AGENT_SELECT} WHERE a.organization_id = $1 AND a.id = $2 AND a.active`,
      [organizationId, agentId],
      manager,
    );
    return row ? toAgentDto(row) : null;
  }

  /** Active agents among these ids, as they are now (real time re-checks access with them). */
  async agentsByIds(organizationId: string, ids: string[]): Promise<AgentDto[]> {
    if (!ids.length) return [];
    const rows = await this.db.query<AgentRow>(
      `${AGENT_SELECT} WHERE a.organization_id = $1 AND a.id = ANY($2::uuid[]) AND a.active`,
      [organizationId, ids],
    );
    return rows.map(toAgentDto);
  }

  /** An agent as an admin manages them, deactivated or not; locked for the change when in a transaction. */
  async managedAgent(manager: EntityManager, organizationId: string, agentId: string): Promise<AgentAdminDto | null> {
    const [row] = await this.db.query<AgentRow & { active: boolean }>(
      `${AGENT_SELECT} WHERE a.organization_id = $1 AND a.id = $2 FOR UPDATE OF a`,
      [organizationId, agentId],
      manager,
    );
    return row ? { ...toAgentDto(row), active: row.active } : null;
  }

  async updateAgent(
    manager: EntityManager,
    agentId: string,
    c: { role?: AgentRole; capacity?: number; active?: boolean },
  ): Promise<void> {
    await this.db.query(
      `UPDATE agent SET role = coalesce($2, role), capacity = coalesce($3, capacity), active = coalesce($4, active) WHERE id = $1`,
      [agentId, c.role ?? null, c.capacity ?? null, c.active ?? null],
      manager,
    );
  }

  /** Replaces the agent's service memberships; false when a service is not the organization's. */
  async setAgentTeams(manager: EntityManager, organizationId: string, agentId: string, teamIds: string[]): Promise<boolean> {
    const [known] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM team WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, teamIds],
      manager,
    );
    if (known!.n !== teamIds.length) return false;
    await this.db.query(
      `DELETE FROM agent_team WHERE agent_id = $1 AND NOT (team_id = ANY($2::uuid[]))`,
      [agentId, teamIds],
      manager,
    );
    await this.db.query(
      `INSERT INTO agent_team (agent_id, team_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [agentId, teamIds],
      manager,
    );
    return true;
  }

  /** A new account; `passwordHash` null for an invited agent who has not chosen a password yet. */
  async insertAgent(
    manager: EntityManager,
    a: { organizationId: string; email: string; name: string; role: AgentRole; capacity: number; passwordHash: string | null },
  ): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO agent (organization_id, email, name, role, capacity, password_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [a.organizationId, a.email.toLowerCase(), a.name, a.role, a.capacity, a.passwordHash ?? NO_PASSWORD],
      manager,
    );
    return row!.id;
  }

  /**
   * The organization's active administrators, their rows locked in a fixed order: two admins
   * demoting each other at the same moment wait in turn, and the second sees the first's change.
   */
  async lockActiveAdmins(manager: EntityManager, organizationId: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM agent WHERE organization_id = $1 AND role = 'admin' AND active ORDER BY id FOR UPDATE`,
      [organizationId],
      manager,
    );
    return rows.map((r) => r.id);
  }

  /** Marks the account as an administrator of the platform (first run, `pnpm guichet create-platform-admin`). */
  async setPlatformAdmin(manager: EntityManager, agentId: string): Promise<void> {
    await this.db.query(`UPDATE agent SET platform_admin = true WHERE id = $1`, [agentId], manager);
  }

  /** The active administrator of the organization with this address, if any. */
  async adminByEmail(manager: EntityManager, organizationId: string, email: string): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `SELECT id FROM agent WHERE organization_id = $1 AND email = $2 AND role = 'admin' AND active`,
      [organizationId, email.toLowerCase()],
      manager,
    );
    return row?.id ?? null;
  }

  /** Every agent of the organization, deactivated ones included (the admin's list). */
  async managedAgents(organizationId: string): Promise<AgentAdminDto[]> {
    const rows = await this.db.query<AgentRow & { active: boolean; invited: boolean }>(
      `SELECT a.id, a.name, a.email, a.role, a.capacity, a.active, a.password_hash = $2 AS invited,
         array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids
         FROM agent a WHERE a.organization_id = $1 ORDER BY a.active DESC, a.name`,
      [organizationId, NO_PASSWORD],
    );
    return rows.map((r) => ({ ...toAgentDto(r), active: r.active, invited: r.invited }));
  }

  async setPasswordHash(manager: EntityManager, agentId: string, hash: string): Promise<void> {
    await this.db.query(`UPDATE agent SET password_hash = $2 WHERE id = $1`, [agentId, hash], manager);
  }

  async renameAgent(manager: EntityManager, agentId: string, name: string): Promise<void> {
    await this.db.query(`UPDATE agent SET name = $2 WHERE id = $1`, [agentId, name], manager);
  }
}
