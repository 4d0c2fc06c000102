import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AgentDto, AgentsOnlineDto, ChannelKind, TeamDto } from '@guichet/contracts';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { ChannelService } from '../channels/channel.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { DirectoryRepository } from './directory.repository';

@ApiTags('annuaire')
@ApiBearerAuth()
@Controller()
export class DirectoryController {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly publisher: RealtimePublisher,
    private readonly channels: ChannelService,
  ) {}

  @Get('teams')
  teams(@CurrentAgent() agent: AuthAgent): Promise<TeamDto[]> {
    return this.directory.teams(agent.organizationId);
  }

  /** Declared before any `agents/:id` route. */
  @Get('agents/online')
  async online(@CurrentAgent() agent: AuthAgent): Promise<AgentsOnlineDto> {
    return { agentIds: await this.publisher.onlineAgents(agent.organizationId) };
  }

  /** The kinds of channel connected in the organization (what an agent may write first on). */
  @Get('channel-kinds')
  channelKinds(@CurrentAgent() agent: AuthAgent): Promise<ChannelKind[]> {
    return this.channels.enabledKinds(agent.organizationId);
  }

  @Get('agents')
  agents(@CurrentAgent() agent: AuthAgent): Promise<AgentDto[]> {
    return this.directory.agents(agent.organizationId);
  }
}
