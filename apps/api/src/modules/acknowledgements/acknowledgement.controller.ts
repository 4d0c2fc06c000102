import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  acknowledgementSettingsSchema,
  requestTypeAcknowledgementSchema,
  teamAcknowledgementSchema,
  type AcknowledgementSettingsDto,
  type UpdateAcknowledgementSettingsInput,
  type UpdateRequestTypeAcknowledgementInput,
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

  /**
   * A démarche's own accusés de réception (`receipt`, `short`, `paperReceipt`), over the
   * organization's texts of the same kind; an empty text follows the organization's again.
   */
  @Roles('admin')
  @Put('request-types/:requestTypeId')
  @ApiBody({ schema: z.toJSONSchema(requestTypeAcknowledgementSchema, { io: 'input' }) as object })
  setRequestType(
    @CurrentAgent() admin: AuthAgent,
    @Param('requestTypeId', new IdPipe('démarche')) requestTypeId: string,
    @Body(new ZodPipe(requestTypeAcknowledgementSchema)) input: UpdateRequestTypeAcknowledgementInput,
  ): Promise<AcknowledgementSettingsDto> {
    return this.acks.setRequestTypeTemplates(admin, requestTypeId, input);
  }
}
