import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  changePasswordSchema,
  loginSchema,
  type ChangePasswordInput,
  type LoginInput,
  type LoginResponse,
  type LogoutResponse,
  type MeDto,
} from '@guichet/contracts';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentAgent, Public, type AuthAgent } from '../../common/auth-agent';
import { badRequest, notFound } from '../../common/errors';
import { ZodPipe } from '../../common/zod.pipe';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AgentDirectory } from '../agents/agent-directory.service';
import { sessionTokenOf } from './auth.guard';
import { sessionId } from './auth.repository';
import { AuthService } from './auth.service';
import { OidcLoginService } from './oidc/oidc-login.service';
import { clearSessionCookies, sessionCookie, setSessionCookies } from './session-cookie';

@ApiTags('authentification')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly directory: AgentDirectory,
    private readonly oidc: OidcLoginService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Opens a session: the token in the answer (for API integrators, as a bearer token) and in
   * the HttpOnly session cookie with its CSRF cookie (for the web app, session-cookie.ts).
   * JSON only: a form on another site cannot send JSON, so it cannot log a browser into an
   * account of its choosing (login CSRF).
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(loginSchema) as object })
  async login(
    @Body(new ZodPipe(loginSchema)) input: LoginInput,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoginResponse> {
    if (!req.is('application/json')) throw badRequest('la connexion attend un corps JSON (Content-Type: application/json)');
    const { token, expiresAt, agent } = await this.auth.login(input, req.ip ?? 'unknown', req.get('user-agent'));
    // The session this browser held until now ends: its cookie is replaced, nothing would use it.
    const previous = sessionCookie(req.headers);
    if (previous) await this.auth.logout(previous);
    setSessionCookies(req, res, { token, expiresAt, appSecret: this.config.appSecret, publicUrl: this.config.publicUrl });
    return { token, expiresAt: expiresAt.toISOString(), agent: await this.me(agent) };
  }

  /** Who the session (bearer token or cookie) belongs to: the web app restores its session with it after a reload. */
  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentAgent() agent: AuthAgent): Promise<MeDto> {
    const dto = await this.directory.me(agent.organizationId, agent.id);
    if (!dto) throw notFound('agent');
    return dto;
  }

  /**
   * Ends the session: 204, or, for a session opened through an OIDC provider, 200 with the
   * provider's end_session URL (with `id_token_hint`) where the browser goes next.
   */
  @ApiBearerAuth()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = sessionTokenOf(req)!;
    const endSessionUrl = await this.oidc.endSessionUrl(sessionId(token));
    await this.auth.logout(token);
    clearSessionCookies(req, res, this.config.publicUrl);
    if (endSessionUrl) res.status(200).json({ endSessionUrl } satisfies LogoutResponse);
    else res.status(204).end();
  }

  /** The agent's own password (10 characters at least); their other sessions end, this one stays. */
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiBody({ schema: z.toJSONSchema(changePasswordSchema) as object })
  async changePassword(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(changePasswordSchema)) input: ChangePasswordInput,
  ): Promise<void> {
    await this.auth.changePassword(agent, input);
  }
}
