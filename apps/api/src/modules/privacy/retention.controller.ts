import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  legalHoldSchema,
  processingRegisterQuerySchema,
  type ProcessingRegisterQuery,
  putRetentionRulesSchema,
  type LegalHoldDto,
  type LegalHoldInput,
  type PutRetentionRulesInput,
  type RetentionRunResult,
  type RetentionSettingsDto,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { RetentionService } from './retention.service';

@ApiTags('données personnelles')
@ApiBearerAuth()
@Controller()
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  /** The organization's retention rules and audit period (supervisors and admins). */
  @Get('retention-rules')
  @Roles('admin', 'supervisor')
  get(@CurrentAgent() agent: AuthAgent): Promise<RetentionSettingsDto> {
    return this.retention.settings(agent);
  }

  /** Replaces every rule of the organization (admins). */
  @Put('retention-rules')
  @Roles('admin')
  @ApiBody({ schema: z.toJSONSchema(putRetentionRulesSchema, { io: 'input' }) as object })
  put(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(putRetentionRulesSchema)) input: PutRetentionRulesInput,
  ): Promise<RetentionSettingsDto> {
    return this.retention.replace(agent, input);
  }

  /** The register of processing activities (RGPD art. 30), generated from the configuration: `?format=html|csv` (admins). */
  @Get('processing-register')
  @Roles('admin')
  async register(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(processingRegisterQuerySchema)) q: ProcessingRegisterQuery,
    @Res() res: Response,
  ): Promise<void> {
    const { fileName, contentType, body } = await this.retention.register(agent, q.format);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end(body);
  }

  /** Runs retention now for the organization, as the nightly job does (admins). */
  @Post('retention/run')
  @HttpCode(200)
  @Roles('admin')
  run(@CurrentAgent() agent: AuthAgent): Promise<RetentionRunResult> {
    return this.retention.run({ organizationId: agent.organizationId, agentId: agent.id });
  }

  @Put('conversations/:id/legal-hold')
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(legalHoldSchema) as object })
  hold(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(legalHoldSchema)) input: LegalHoldInput,
  ): Promise<LegalHoldDto> {
    return this.retention.setHold(agent, id, input.reason);
  }

  @Delete('conversations/:id/legal-hold')
  @Roles('admin', 'supervisor')
  release(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('conversation')) id: string): Promise<LegalHoldDto> {
    return this.retention.setHold(agent, id, null);
  }
}
