import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createRoutingRuleSchema,
  reorderRoutingRulesSchema,
  routingDryRunSchema,
  updateRoutingRuleSchema,
  type CreateRoutingRuleInput,
  type ReorderRoutingRulesInput,
  type RoutingDryRunDto,
  type RoutingDryRunInput,
  type RoutingRuleDto,
  type UpdateRoutingRuleInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { RoutingService } from './routing.service';

const toggleSchema = z.object({ enabled: z.boolean('vrai ou faux attendu') });

/** Routing rules and automatic assignment: administrators only. */
@ApiTags('routage')
@ApiBearerAuth()
@Roles('admin')
@Controller('routing-rules')
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  /** The rules in the order they are tried. */
  @Get()
  list(@CurrentAgent() agent: AuthAgent): Promise<RoutingRuleDto[]> {
    return this.routing.list(agent);
  }

  @Post()
  @ApiBody({ schema: z.toJSONSchema(createRoutingRuleSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createRoutingRuleSchema)) input: CreateRoutingRuleInput,
  ): Promise<RoutingRuleDto> {
    return this.routing.create(agent, input);
  }

  /** Which rule a pasted message would take; nothing is written. */
  @Post('dry-run')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(routingDryRunSchema, { io: 'input' }) as object })
  dryRun(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(routingDryRunSchema)) input: RoutingDryRunInput,
  ): Promise<RoutingDryRunDto> {
    return this.routing.dryRun(agent, input);
  }

  /** Every rule's id in the new order. */
  @Put('order')
  @ApiBody({ schema: z.toJSONSchema(reorderRoutingRulesSchema) as object })
  reorder(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(reorderRoutingRulesSchema)) input: ReorderRoutingRulesInput,
  ): Promise<RoutingRuleDto[]> {
    return this.routing.reorder(agent, input.ids);
  }

  /** Services with automatic assignment, agents on leave. */
  @Get('settings')
  settings(@CurrentAgent() agent: AuthAgent): Promise<{ autoAssignTeamIds: string[]; onLeaveAgentIds: string[] }> {
    return this.routing.settings(agent);
  }

  /** Automatic assignment (round-robin) in a service, on or off. */
  @Put('auto-assign/:teamId')
  @HttpCode(204)
  @ApiBody({ schema: z.toJSONSchema(toggleSchema) as object })
  async autoAssign(
    @CurrentAgent() agent: AuthAgent,
    @Param('teamId', new IdPipe('service')) teamId: string,
    @Body(new ZodPipe(toggleSchema)) input: z.infer<typeof toggleSchema>,
  ): Promise<void> {
    await this.routing.setAutoAssign(agent, teamId, input.enabled);
  }

  /** An agent on leave gets no file automatically. */
  @Put('leave/:agentId')
  @HttpCode(204)
  @ApiBody({ schema: z.toJSONSchema(toggleSchema) as object })
  async leave(
    @CurrentAgent() agent: AuthAgent,
    @Param('agentId', new IdPipe('agent')) agentId: string,
    @Body(new ZodPipe(toggleSchema)) input: z.infer<typeof toggleSchema>,
  ): Promise<void> {
    await this.routing.setLeave(agent, agentId, input.enabled);
  }

  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateRoutingRuleSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('règle')) id: string,
    @Body(new ZodPipe(updateRoutingRuleSchema)) input: UpdateRoutingRuleInput,
  ): Promise<RoutingRuleDto> {
    return this.routing.update(agent, id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('règle')) id: string): Promise<void> {
    await this.routing.remove(agent, id);
  }
}
