import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AgentRole } from '@guichet/contracts';

/** The authenticated agent of a request or socket. */
export interface AuthAgent {
  id: string;
  organizationId: string;
  role: AgentRole;
  name: string;
  email: string;
  teamIds: string[];
  /** Administers the platform (creates and lists its towns); grants nothing inside another town. */
  platformAdmin?: boolean;
  /**
   * The login session the request or socket came with (`id` names its `session:` room; `publicId`
   * is the id its agent's session list shows, and the audit records).
   */
  session?: { id: string; expiresAt: Date; publicId?: string };
}

export const isManager = (a: AuthAgent) => a.role === 'supervisor' || a.role === 'admin';

export const PUBLIC_ROUTE = 'guichet:public';
/** Routes reachable without an agent session (citizen pages, webhooks, health, login). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const ROLES = 'guichet:roles';
export const Roles = (...roles: AgentRole[]) => SetMetadata(ROLES, roles);

export const PLATFORM_ADMIN = 'guichet:platform-admin';
/** Routes of the platform administrator only (the list and creation of organizations). */
export const PlatformAdminOnly = () => SetMetadata(PLATFORM_ADMIN, true);

export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthAgent => {
  return ctx.switchToHttp().getRequest<{ agent: AuthAgent }>().agent;
});
