import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * What every log line written while handling one request, job or socket event carries: its
 * request id and, once known, the organization it works for. Never anything about a person: the
 * request's origin (`ip`, `sessionId`) is here for the audit log alone (infra/audit), and the
 * log lines leave it out (common/logging.ts picks their fields).
 */
export interface RequestContext {
  requestId: string;
  /** What is being handled: an HTTP request, a job of the queue, a socket.io event. */
  via: 'http' | 'job' | 'socket';
  organizationId?: string;
  /** An HTTP request's route pattern, once Nest matched it (common/route-pattern.ts). */
  route?: string;
  /** An HTTP request's address (Express's `req.ip`, behind the configured proxies), if it is one. */
  ip?: string;
  /** The agent's session (agent_session.public_id), once the request is authenticated. */
  sessionId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runInContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The organization the current request works for, once its agent (or channel) is known. */
export function setContextOrganization(organizationId: string): void {
  const c = storage.getStore();
  if (c) c.organizationId = organizationId;
}

/** The session the current request was authenticated with (its public id), for the audit. */
export function setContextSession(publicId: string): void {
  const c = storage.getStore();
  if (c) c.sessionId = publicId;
}

/** Where the current request comes from, for the audit log: its IP address and session, when known. */
export function currentOrigin(): { ip: string | null; sessionId: string | null } {
  const c = storage.getStore();
  return { ip: c?.ip ?? null, sessionId: c?.sessionId ?? null };
}

/** `req.ip` kept when it is an IP address (the audit stores it as `inet`). */
export const ipOrNothing = (ip: string | undefined): string | undefined => (ip && isIP(ip) ? ip : undefined);

/** A request id given by a proxy (X-Request-Id) is kept when it is a plain token; otherwise a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._:-]{8,100}$/.test(v) ? v : randomUUID();
}
