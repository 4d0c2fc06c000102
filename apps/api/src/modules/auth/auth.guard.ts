import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AgentRole } from '@guichet/contracts';
import type { Request } from 'express';
import { PUBLIC_ROUTE, ROLES, type AuthAgent } from '../../common/auth-agent';
import { forbidden, unauthorized } from '../../common/errors';
import { AuthService } from './auth.service';

export function bearerToken(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Global guard: every route needs an agent session unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { agent?: AuthAgent }>();
    const agent = await this.auth.authenticate(bearerToken(req));
    if (!agent) throw unauthorized('session absente ou expirée : reconnectez-vous');
    req.agent = agent;
    const roles = this.reflector.getAllAndOverride<AgentRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(agent.role)) throw forbidden('action réservée aux ' + roles.join(', '));
    return true;
  }
}
