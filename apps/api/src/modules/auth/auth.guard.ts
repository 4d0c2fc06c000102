import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { setContextOrganization, setContextSession } from '../../common/request-context';
import { Reflector } from '@nestjs/core';
import type { AgentRole } from '@guichet/contracts';
import type { Request, Response } from 'express';
import { PLATFORM_ADMIN, PUBLIC_ROUTE, ROLES, type AuthAgent } from '../../common/auth-agent';
import { forbidden, unauthorized } from '../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AuthService } from './auth.service';
import { clearSessionCookies, CSRF_HEADER, needsCsrf, sessionCookie } from './session-cookie';

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** The session token a request was authenticated with (logout ends that one). */
export const sessionTokenOf = (req: Request) => (req as Request & { sessionToken?: string }).sessionToken;

/**
 * Global guard: every route needs an agent session unless marked @Public(): a bearer token, or
 * the session cookie with, for unsafe methods, its CSRF token in X-Guichet-CSRF (session-cookie.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { agent?: AuthAgent; sessionToken?: string }>();
    const bearer = bearerToken(req);
    const cookie = bearer ? undefined : sessionCookie(req.headers);
    const agent = await this.auth.authenticate(bearer ?? cookie);
    if (!agent) {
      // An expired or revoked session cookie is of no use: the browser forgets it.
      if (cookie) clearSessionCookies(req, ctx.switchToHttp().getResponse<Response>(), this.config.publicUrl);
      throw unauthorized('session absente ou expirée : reconnectez-vous');
    }
    if (cookie && needsCsrf(req.method) && !this.auth.csrfMatches(cookie, req.headers[CSRF_HEADER])) {
      throw forbidden(
        'requête refusée : le jeton anti-falsification (en-tête X-Guichet-CSRF) manque ou ne correspond pas à la session ; rechargez la page',
      );
    }
    req.agent = agent;
    setContextOrganization(agent.organizationId);
    if (agent.session?.publicId) setContextSession(agent.session.publicId);
    req.sessionToken = bearer ?? cookie;
    const roles = this.reflector.getAllAndOverride<AgentRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(agent.role)) throw forbidden('action réservée aux ' + roles.join(', '));
    if (this.reflector.getAllAndOverride<boolean>(PLATFORM_ADMIN, targets) && !agent.platformAdmin) {
      throw forbidden('action réservée aux administrateurs de la plateforme');
    }
    return true;
  }
}
