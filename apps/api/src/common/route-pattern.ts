import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { currentContext, type RequestContext } from './request-context';

/** What metrics and logs name a request by: its route pattern (`/api/v1/conversations/:id`), never its path. */
export interface WithRoutePattern {
  /** Set by the first middleware (app.factory.ts) on the request as Express first sees it. */
  requestContext?: RequestContext;
  route?: { path?: unknown };
  baseUrl?: string;
}

/**
 * Notes the matched route's pattern in the request's context while the handler runs: the request
 * object the handler sees is not the one the first middlewares saw, whose `req.route` names a
 * middleware's catch-all once the answer is sent.
 */
export class RoutePatternInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() === 'http') {
      const req = ctx.switchToHttp().getRequest<WithRoutePattern>();
      const c = currentContext();
      if (c && req.route?.path) c.route = `${req.baseUrl ?? ''}${String(req.route.path)}`;
    }
    return next.handle();
  }
}

export function routePattern(req: WithRoutePattern): string | undefined {
  return req.requestContext?.route ?? (req.route?.path ? `${req.baseUrl ?? ''}${String(req.route.path)}` : undefined);
}
