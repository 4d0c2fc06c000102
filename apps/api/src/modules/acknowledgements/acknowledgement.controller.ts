import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  acknowledgementSettingsSchema,
  teamAcknowledgementSchema,
  type AcknowledgementSettingsDto,
  type UpdateAcknowledgementSettingsInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { AcknowledgementService } from './acknowledgement.service';

/** The acknowledgements Guichet sends (on/off per organization and service, their texts): admins change them. */
@ApiTags('administration')
@ApiBearerAuth()
@Controller('organization/acknowledgements')
export class AcknowledgementController {
  constructor(private readonly acks: AcknowledgementService) {}

  @Roles('admin', 'supervisor')
  @Get()
  get(@CurrentAgent() agent: AuthAgent): Promise<AcknowledgementSettingsDto> {
    return this.acks.settings(agent.organizationId);
  }

  @Roles('admin')
  @Put()
  @ApiBody({ schema: z.toJSONSchema(acknowledgementSettingsSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(acknowledgementSettingsSchema)) input: UpdateAcknowledgementSettingsInput,
  ): Promise<AcknowledgementSettingsDto> {
    return this.acks.updateSettings(admin, input);
  }

  /** One service's acknowledgements on or off (on by default; the organization's switch comes first). */
  @Roles('admin')
  @Put('teams/:teamId')
  @ApiBody({ schema: z.toJSONSchema(teamAcknowledgementSchema, { io: 'input' }) as object })
  setTeam(
    @CurrentAgent() admin: AuthAgent,
    @Param('teamId', IdPipe) teamId: string,
    @Body(new ZodPipe(teamAcknowledgementSchema)) input: { enabled: boolean },
  ): Promise<AcknowledgementSettingsDto> {
    return this.acks.setTeamEnabled(admin, teamId, input.enabled);
  }
}
