import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  satisfactionAnswerSchema,
  satisfactionSettingsSchema,
  type SatisfactionAnswerInput,
  type SatisfactionSettingsDto,
  type SatisfactionSettingsInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Public, Roles, type AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { SatisfactionService } from './satisfaction.service';

/** A service's survey setting: off, at resolution, or some hours after it. */
@ApiTags('administration')
@ApiBearerAuth()
@Controller('teams/:teamId/satisfaction')
export class SatisfactionSettingsController {
  constructor(private readonly satisfaction: SatisfactionService) {}

  @Roles('admin', 'supervisor')
  @Get()
  get(@CurrentAgent() agent: AuthAgent, @Param('teamId', IdPipe) teamId: string): Promise<SatisfactionSettingsDto> {
    return this.satisfaction.settings(agent.organizationId, teamId);
  }

  @Roles('admin')
  @Put()
  @ApiBody({ schema: z.toJSONSchema(satisfactionSettingsSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Param('teamId', IdPipe) teamId: string,
    @Body(new ZodPipe(satisfactionSettingsSchema)) input: SatisfactionSettingsInput,
  ): Promise<SatisfactionSettingsDto> {
    return this.satisfaction.updateSettings(admin, teamId, input);
  }
}

/** What a survey link shows, as JSON (the citizen page at /avis/:token is its HTML form). */
export interface PublicSurveyDto {
  reference: string;
  service: string;
  organization: string;
  question: string;
  /** `answered`: the score given. */
  state: 'open' | 'answered';
  score: number | null;
}

/** The survey answered without an account, through the signed link of the invitation. */
@ApiTags('public (citoyens)')
@Public()
@Controller('public/surveys')
export class PublicSurveyController {
  constructor(private readonly satisfaction: SatisfactionService) {}

  @Get(':token')
  @ApiOperation({ summary: 'Le questionnaire de satisfaction d’une demande traitée (lien signé)' })
  async get(@Param('token') token: string): Promise<PublicSurveyDto> {
    const v = await this.satisfaction.view(token);
    if (v.state === 'invalid' || v.state === 'expired') throw notFound('questionnaire');
    return {
      reference: v.survey.reference,
      service: v.survey.team_name,
      organization: v.survey.organization_name,
      question: v.state === 'open' ? v.question : '',
      state: v.state,
      score: v.survey.score,
    };
  }

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({ summary: 'La réponse du citoyen : une note de 0 à 10 et un commentaire facultatif, une fois' })
  @ApiBody({ schema: z.toJSONSchema(satisfactionAnswerSchema, { io: 'input' }) as object })
  answer(
    @Param('token') token: string,
    @Body(new ZodPipe(satisfactionAnswerSchema)) input: SatisfactionAnswerInput,
  ): Promise<{ score: number }> {
    return this.satisfaction.answer(token, input);
  }
}
