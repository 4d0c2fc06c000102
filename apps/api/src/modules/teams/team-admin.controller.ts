import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createTeamSchema,
  updateTeamSchema,
  type CreateTeamInput,
  type TeamAdminDto,
  type UpdateTeamInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { TeamAdminService } from './team-admin.service';

/** Services (teams) as admins manage them; supervisors read the list. */
@ApiTags('administration')
@ApiBearerAuth()
@Controller('teams')
export class TeamAdminController {
  constructor(private readonly teams: TeamAdminService) {}

  /** Every service with its members, archived ones last. */
  @Roles('admin', 'supervisor')
  @Get('manage')
  list(@CurrentAgent() agent: AuthAgent): Promise<TeamAdminDto[]> {
    return this.teams.list(agent.organizationId);
  }

  @Roles('admin')
  @Post()
  @ApiBody({ schema: z.toJSONSchema(createTeamSchema, { io: 'input' }) as object })
  create(@CurrentAgent() admin: AuthAgent, @Body(new ZodPipe(createTeamSchema)) input: CreateTeamInput): Promise<TeamAdminDto> {
    return this.teams.create(admin, input);
  }

  /** Rename, archive (or bring back), description and contact details for citizens, members. */
  @Roles('admin')
  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateTeamSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Param('id', new IdPipe('service')) id: string,
    @Body(new ZodPipe(updateTeamSchema)) input: UpdateTeamInput,
  ): Promise<TeamAdminDto> {
    return this.teams.update(admin, id, input);
  }
}
