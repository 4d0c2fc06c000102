import { Injectable } from '@nestjs/common';
import type { AgentDto, AgentRole, MeDto, OrganizationDto, TeamDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';

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

const AGENT_SELECT = `SELECT a.id, a.name, a.email, a.role, a.capacity,
  array(SELECT team_id FROM agent_team WHERE agent_id = a.id ORDER BY team_id) AS team_ids FROM agent a`;

/** Teams and agents of an organization. */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  teams(organizationId: string): Promise<TeamDto[]> {
    return this.db.query<TeamDto>(`SELECT id, name, slug FROM team WHERE organization_id = $1 ORDER BY name`, [organizationId]);
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
    const [organization] = await this.db.query<OrganizationDto>(`SELECT id, name, slug FROM organization WHERE id = $1`, [organizationId]);
    return { ...agent, organization: organization! };
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
}
