import { Body, Controller, Get, HttpCode, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  deadlineDigestSchema,
  requestPasswordResetSchema,
  setPasswordWithTokenSchema,
  updateProfileSchema,
  type DeadlineDigestDto,
  type SetPasswordWithTokenInput,
  type UpdateProfileInput,
} from '@guichet/contracts';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAgent, Public, Roles, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { AccountService } from './account.service';

/** The agent's own account: password from an invitation or reset link, reset requests, own name. */
@ApiTags('compte')
@Controller('account')
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  /** Chooses a password from the link of an invitation (72 h) or a reset (2 h); the link works once. */
  @Public()
  @Post('password')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(setPasswordWithTokenSchema) as object })
  setPassword(@Body(new ZodPipe(setPasswordWithTokenSchema)) input: SetPasswordWithTokenInput): Promise<{ email: string }> {
    return this.accounts.setPassword(input);
  }

  /** Sends a reset link to the address if it is an active account's; 202 whatever the case. */
  @Public()
  @Post('password-reset')
  @HttpCode(202)
  @ApiBody({ schema: z.toJSONSchema(requestPasswordResetSchema) as object })
  async requestReset(
    @Body(new ZodPipe(requestPasswordResetSchema)) input: { email: string },
    @Req() req: Request,
  ): Promise<{ message: string }> {
    await this.accounts.requestReset(input.email, req.ip ?? 'unknown');
    return { message: 'si cette adresse est celle d’un compte, un lien vient d’y être envoyé' };
  }

  @ApiBearerAuth()
  @Patch()
  @HttpCode(204)
  @ApiBody({ schema: z.toJSONSchema(updateProfileSchema) as object })
  async updateProfile(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(updateProfileSchema)) input: UpdateProfileInput,
  ): Promise<void> {
    await this.accounts.updateProfile(agent, input);
  }

  /** The supervisor's digest of their services' files overdue or due within 48 hours: received or not, and when. */
  @ApiBearerAuth()
  @Roles('supervisor')
  @Get('deadline-digest')
  deadlineDigest(@CurrentAgent() agent: AuthAgent): Promise<DeadlineDigestDto> {
    return this.accounts.deadlineDigest(agent);
  }

  @ApiBearerAuth()
  @Roles('supervisor')
  @Put('deadline-digest')
  @ApiBody({ schema: z.toJSONSchema(deadlineDigestSchema) as object })
  setDeadlineDigest(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(deadlineDigestSchema)) input: DeadlineDigestDto,
  ): Promise<DeadlineDigestDto> {
    return this.accounts.setDeadlineDigest(agent, input);
  }
}
