import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  extendRightsRequestSchema,
  grantRightsRequestSchema,
  liftRestrictionSchema,
  PROCESSING_RESTRICTION_KINDS,
  type GrantRightsRequestInput,
  type LiftRestrictionInput,
  type ProcessingRestrictionDto,
  type ProcessingRestrictionKind,
  rectifyContactSchema,
  setRightsRequestSchema,
  type ConversationPrivacyDto,
  type ExtendRightsRequestInput,
  type MessageDto,
  type RectifyContactInput,
  type RightsRequestDto,
  type SetRightsRequestInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { RightsRequestService } from './rights-request.service';

/** Rights requests (RGPD art. 12, 15–21; issue 16) and rectification of a citizen's name. */
@ApiTags('données personnelles')
@ApiBearerAuth()
@Controller()
export class RightsRequestController {
  constructor(private readonly requests: RightsRequestService) {}

  /** The conversation's rights request (or null), legal hold and anonymization, for its screen. */
  @Get('conversations/:id/privacy')
  privacy(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
  ): Promise<ConversationPrivacyDto> {
    return this.requests.privacy(agent, id);
  }

  /** Marks the conversation a rights request of this kind (due one month after receipt). */
  @Put('conversations/:id/rights-request')
  @ApiBody({ schema: z.toJSONSchema(setRightsRequestSchema) as object })
  set(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(setRightsRequestSchema)) input: SetRightsRequestInput,
  ): Promise<RightsRequestDto> {
    return this.requests.set(agent, id, input.kind);
  }

  @Delete('conversations/:id/rights-request')
  @HttpCode(204)
  clear(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('conversation')) id: string): Promise<void> {
    return this.requests.clear(agent, id);
  }

  /** Two more months, once; the citizen is told why by a reply (supervisors, admins). */
  @Post('conversations/:id/rights-request/extend')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(extendRightsRequestSchema) as object })
  extend(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(extendRightsRequestSchema)) input: ExtendRightsRequestInput,
  ): Promise<RightsRequestDto> {
    return this.requests.extend(agent, id, input.reason);
  }

  /**
   * Grants the conversation's limitation (art. 18) or objection (art. 21) request (supervisors,
   * admins): the citizen's file carries it, audited; the API refuses what it stops (423).
   */
  @Post('conversations/:id/rights-request/grant')
  @HttpCode(201)
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(grantRightsRequestSchema) as object })
  grant(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(grantRightsRequestSchema)) input: GrantRightsRequestInput,
  ): Promise<ProcessingRestrictionDto> {
    return this.requests.grant(agent, id, input);
  }

  /** The citizen's limitations and objections, in force and lifted. */
  @Get('contacts/:id/restrictions')
  restrictions(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
  ): Promise<ProcessingRestrictionDto[]> {
    return this.requests.restrictionsOf(agent, id);
  }

  /** Lifts one (supervisors, admins), audited; a limitation's citizen is told first (art. 18.3). */
  @Post('contacts/:id/restrictions/:kind/lift')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(liftRestrictionSchema) as object })
  lift(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Param('kind', new ZodPipe(z.enum(PROCESSING_RESTRICTION_KINDS, 'type : limitation ou objection')))
    kind: ProcessingRestrictionKind,
    @Body(new ZodPipe(liftRestrictionSchema)) input: LiftRestrictionInput,
  ): Promise<ProcessingRestrictionDto> {
    return this.requests.lift(agent, id, kind, input.reason);
  }

  /** Sends the citizen's export (ZIP with a readable HTML page) as a reply in this conversation. */
  @Post('conversations/:id/send-export')
  @HttpCode(201)
  @Roles('admin', 'supervisor')
  sendExport(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('conversation')) id: string): Promise<MessageDto> {
    return this.requests.sendExport(agent, id);
  }

  /** Rectification of the citizen's name (supervisors, admins); identities are added and removed on the file. */
  @Patch('contacts/:id')
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(rectifyContactSchema) as object })
  rectify(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Body(new ZodPipe(rectifyContactSchema)) input: RectifyContactInput,
  ): Promise<{ id: string; name: string }> {
    return this.requests.rectifyName(agent, id, input.name);
  }
}
