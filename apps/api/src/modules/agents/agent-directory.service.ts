import { Injectable } from '@nestjs/common';
import type { AgentDto, MeDto, TeamDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { DirectoryRepository } from './directory.repository';

/**
 * What other features may ask of the agents' directory (the published interface of agents/):
 * does this team or agent exist in the organization, who are these agents, who am I.
 */
@Injectable()
export class AgentDirectory {
  constructor(private readonly repo: DirectoryRepository) {}

  team(organizationId: string, teamId: string, manager?: EntityManager): Promise<TeamDto | null> {
    return this.repo.team(organizationId, teamId, manager);
  }

  agent(organizationId: string, agentId: string, manager?: EntityManager): Promise<AgentDto | null> {
    return this.repo.agent(organizationId, agentId, manager);
  }

  agentsByIds(organizationId: string, ids: string[]): Promise<AgentDto[]> {
    return this.repo.agentsByIds(organizationId, ids);
  }

  me(organizationId: string, agentId: string): Promise<MeDto | null> {
    return this.repo.me(organizationId, agentId);
  }
}
