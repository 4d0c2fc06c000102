import { Body, Controller, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { updateAgentSchema, type AgentAdminDto, type UpdateAgentInput } from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { AgentAdminService } from './agent-admin.service';

@ApiTags('annuaire')
@ApiBearerAuth()
@Roles('admin')
@Controller('agents')
export class AgentAdminController {
  constructor(private readonly agents: AgentAdminService) {}

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
