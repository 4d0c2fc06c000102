import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  changePasswordSchema,
  loginSchema,
  type ChangePasswordInput,
  type LoginInput,
  type LoginResponse,
  type MeDto,
} from '@guichet/contracts';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAgent, Public, type AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { ZodPipe } from '../../common/zod.pipe';
import { DirectoryRepository } from '../agents/directory.repository';
import { bearerToken } from './auth.guard';
import { AuthService } from './auth.service';

@ApiTags('authentification')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly directory: DirectoryRepository,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(loginSchema) as object })
  async login(@Body(new ZodPipe(loginSchema)) input: LoginInput, @Req() req: Request): Promise<LoginResponse> {
    const { token, expiresAt, agent } = await this.auth.login(input, req.ip ?? 'unknown');
    return { token, expiresAt: expiresAt.toISOString(), agent: await this.me(agent) };
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentAgent() agent: AuthAgent): Promise<MeDto> {
    const dto = await this.directory.me(agent.organizationId, agent.id);
    if (!dto) throw notFound('agent');
    return dto;
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request): Promise<void> {
    await this.auth.logout(bearerToken(req)!);
  }

  /** The agent's own password (10 characters at least); their other sessions end, this one stays. */
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiBody({ schema: z.toJSONSchema(changePasswordSchema) as object })
  async changePassword(@CurrentAgent() agent: AuthAgent, @Body(new ZodPipe(changePasswordSchema)) input: ChangePasswordInput): Promise<void> {
    await this.auth.changePassword(agent, input);
  }
}
