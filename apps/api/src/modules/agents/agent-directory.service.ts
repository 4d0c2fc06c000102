import { Injectable } from '@nestjs/common';
import type { AgentDto, AgentRole, MeDto, TeamDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { conflict, uniqueViolation } from '../../common/errors';
import { DirectoryRepository } from './directory.repository';

/**
 * What other features may ask of the agents' directory (the published interface of agents/):
 * does this team or agent exist in the organization, who are these agents, who am I; and the
 * creation of an account (the first run's administrator, an invited agent).
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

  /** The organization's active agents, by name. */
  agents(organizationId: string): Promise<AgentDto[]> {
    return this.repo.agents(organizationId);
  }

  agentsByIds(organizationId: string, ids: string[]): Promise<AgentDto[]> {
    return this.repo.agentsByIds(organizationId, ids);
  }

  me(organizationId: string, agentId: string): Promise<MeDto | null> {
    return this.repo.me(organizationId, agentId);
  }

  /** Marks the account as a platform administrator, in the caller's transaction. */
  setPlatformAdmin(manager: EntityManager, agentId: string): Promise<void> {
    return this.repo.setPlatformAdmin(manager, agentId);
  }

  /** The active administrator of the organization with this address, if any. */
  adminByEmail(manager: EntityManager, organizationId: string, email: string): Promise<string | null> {
    return this.repo.adminByEmail(manager, organizationId, email);
  }

  /**
   * A new account in the caller's transaction; `passwordHash` null for an invited agent who has
   * not chosen a password yet. An address already taken is a 409 with a French reason.
   */
  async createAgent(
    manager: EntityManager,
    a: { organizationId: string; email: string; name: string; role: AgentRole; capacity: number; passwordHash: string | null },
  ): Promise<string> {
    try {
      return await this.repo.insertAgent(manager, a);
    } catch (e) {
      if (uniqueViolation(e) === 'agent_email_key') throw conflict(`un compte existe déjà avec l’adresse ${a.email}`);
      throw e;
    }
  }
}
