import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AgentDto, TeamDto } from '@guichet/contracts';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { DirectoryRepository } from './directory.repository';

@ApiTags('annuaire')
@ApiBearerAuth()
@Controller()
export class DirectoryController {
  constructor(private readonly directory: DirectoryRepository) {}

  @Get('teams')
  teams(@CurrentAgent() agent: AuthAgent): Promise<TeamDto[]> {
    return this.directory.teams(agent.organizationId);
  }

  @Get('agents')
  agents(@CurrentAgent() agent: AuthAgent): Promise<AgentDto[]> {
    return this.directory.agents(agent.organizationId);
  }
}
