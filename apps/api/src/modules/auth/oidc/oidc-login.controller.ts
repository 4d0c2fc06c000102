import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { OidcLoginOptionDto } from '@guichet/contracts';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Request, Response } from 'express';
import { Public } from '../../../common/auth-agent';
import { IdPipe } from '../../../common/zod.pipe';
import { RateLimiter } from '../../../common/rate-limiter';
import { APP_CONFIG, type AppConfig } from '../../../config';
import { setSessionCookies } from '../session-cookie';
import { OidcLoginService, OidcSignInError } from './oidc-login.service';

/**
 * The state of a sign-in in flight, for the callback only. SameSite=Lax, not Strict: the
 * provider's redirect back is a cross-site top-level GET, which carries Lax cookies only.
 */
const STATE_COOKIE = 'guichet_oidc_state';
const STATE_COOKIE_PATH = '/api/v1/auth/oidc/';

function stateCookie(req: Request, publicUrl: string, value: string, maxAge: number): string {
  return stringifySetCookie({
    name: STATE_COOKIE,
    value,
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure || publicUrl.startsWith('https:'),
    path: STATE_COOKIE_PATH,
    maxAge,
  });
}

@ApiTags('authentification')
@Public()
@Controller('auth/oidc')
export class OidcLoginController {
  constructor(
    private readonly login: OidcLoginService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The sign-in buttons of the login page: every enabled provider, with its organization. */
  @Get('providers')
  providers(): Promise<OidcLoginOptionDto[]> {
    return this.login.options();
  }

  /** The button's link: remembers state, nonce and PKCE verifier, then sends the browser to the provider. */
  @Get(':id/start')
  @ApiExcludeEndpoint()
  async start(@Param('id', new IdPipe('fournisseur')) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.limiter.hit(`oidc-start:${req.ip}`, 30, 60, 'trop de tentatives de connexion : réessayez dans une minute');
    try {
      const { url, state } = await this.login.start(id);
      res.append('Set-Cookie', stateCookie(req, this.config.publicUrl, state, 600));
      res.redirect(303, url);
    } catch (e) {
      this.fail(id, e, res);
    }
  }

  /** The provider's redirect back (the exact redirect URI): opens the session and goes to the inbox. */
  @Get(':id/callback')
  @ApiExcludeEndpoint()
  async callback(
    @Param('id', new IdPipe('fournisseur')) id: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    res.append('Set-Cookie', stateCookie(req, this.config.publicUrl, '', 0));
    let cookieState: string | undefined;
    try {
      cookieState = req.headers.cookie ? parseCookie(req.headers.cookie)[STATE_COOKIE] : undefined;
    } catch {
      cookieState = undefined;
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string') params.set(k, v);
    try {
      const { token, expiresAt } = await this.login.callback(id, params, cookieState, {
        ip: req.ip,
        userAgent: req.get('user-agent'),
      });
      setSessionCookies(req, res, { token, expiresAt, appSecret: this.config.appSecret, publicUrl: this.config.publicUrl });
      res.redirect(303, '/');
    } catch (e) {
      this.fail(id, e, res);
    }
  }

  /** A refused sign-in lands on the login page with its reason (`/?connexion=<code>`). */
  private fail(providerId: string, e: unknown, res: Response): void {
    if (!(e instanceof OidcSignInError)) throw e;
    this.login.logFailure(providerId, e);
    res.redirect(303, `/?connexion=${e.code}`);
  }
}
