import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line written while handling one request, job or socket event carries: its
 * request id and, once known, the organization it works for. Never anything about a person.
 */
export interface RequestContext {
  requestId: string;
  /** What is being handled: an HTTP request, a job of the queue, a socket.io event. */
  via: 'http' | 'job' | 'socket';
  organizationId?: string;
  /** An HTTP request's route pattern, once Nest matched it (common/route-pattern.ts). */
  route?: string;
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

/** A request id given by a proxy (X-Request-Id) is kept when it is a plain token; otherwise a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._:-]{8,100}$/.test(v) ? v : randomUUID();
}
