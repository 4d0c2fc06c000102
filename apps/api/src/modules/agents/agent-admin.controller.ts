import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createAgentSchema,
  updateAgentSchema,
  type AgentAdminDto,
  type CreateAgentInput,
  type UpdateAgentInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { AccountService } from './account.service';
import { AgentAdminService } from './agent-admin.service';
import { DirectoryRepository } from './directory.repository';

@ApiTags('annuaire')
@ApiBearerAuth()
@Roles('admin')
@Controller('agents')
export class AgentAdminController {
  constructor(
    private readonly agents: AgentAdminService,
    private readonly accounts: AccountService,
    private readonly directory: DirectoryRepository,
  ) {}

  /** Every agent of the organization, deactivated and invited ones included (supervisors read it). Declared before `agents/:id`. */
  @Roles('admin', 'supervisor')
  @Get('manage')
  list(@CurrentAgent() admin: AuthAgent): Promise<AgentAdminDto[]> {
    return this.directory.managedAgents(admin.organizationId);
  }

  /**
   * Invites an agent: the account and the mail with a link valid 72 hours to choose a password,
   * sent through the organization's outgoing mail; a refused mail leaves no account (503).
   */
  @Post()
  @ApiBody({ schema: z.toJSONSchema(createAgentSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(createAgentSchema)) input: CreateAgentInput,
  ): Promise<AgentAdminDto> {
    return this.accounts.invite(admin, input);
  }

  /** Sends the agent a new link: the invitation again while they have no password, a reset link otherwise. */
  @Post(':id/password-link')
  @HttpCode(202)
  async passwordLink(@CurrentAgent() admin: AuthAgent, @Param('id', new IdPipe('agent')) id: string): Promise<void> {
    await this.accounts.sendPasswordLink(admin, id);
  }

  /** Role, services, capacity, active flag of an agent of the admin's organization. */
  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateAgentSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Param('id', new IdPipe('agent')) id: string,
    @Body(new ZodPipe(updateAgentSchema)) input: UpdateAgentInput,
  ): Promise<AgentAdminDto> {
    return this.agents.update(admin, id, input);
  }
}
