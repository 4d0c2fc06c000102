import type { ApiErrorBody } from '@guichet/contracts';
import { CSRF_HEADER, sessionStore } from '../session/session-store';

export const API_BASE = '/api/v1';

/** A failed API call: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = body.statusCode;
    this.body = body;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }

  /** Refused in the browser because it is offline: nothing reached the server. */
  get isOffline(): boolean {
    return this.status === 0 && this.body.error === 'Offline';
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** Whether a failure is the API answering with this HTTP status. */
export function hasStatus(error: unknown, status: number): boolean {
  return error instanceof ApiError && error.status === status;
}

/** How long a call may wait for the server before it counts as failed. */
const READ_TIMEOUT_MS = 30_000;
const WRITE_TIMEOUT_MS = 20_000;

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: QueryParams;
  body?: unknown;
  /** Sent as multipart/form-data instead of a JSON body. */
  form?: FormData;
  signal?: AbortSignal;
  /**
   * A call of the agent's session (default): the browser sends the session cookie, changes carry
   * the session's CSRF token, and a 401 ends the session. Login and citizen pages: false.
   */
  auth?: boolean;
}

export function buildUrl(path: string, query?: QueryParams): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE}${path}${search ? `?${search}` : ''}`;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ApiErrorBody>;
  return typeof v.statusCode === 'number' && typeof v.message === 'string';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The one way the web app talks to the API: JSON in and out, the session in its HttpOnly cookie
 * (with the CSRF token on changes), every non-2xx answer thrown as an ApiError. A 401 on a
 * session call ends the session.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, body, form, signal, auth = true } = options;
  const headers: Record<string, string> = { Accept: 'application/json' };
  const session = auth ? sessionStore.get() : null;
  if (session && method !== 'GET') headers[CSRF_HEADER] = session.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  // Offline, a change is refused at once (never left pending, never sent later behind the agent's back).
  if (method !== 'GET' && typeof navigator !== 'undefined' && navigator.onLine === false)
    throw new ApiError({ statusCode: 0, error: 'Offline', message: 'hors ligne' });
  // A server that does not answer is a failure after a while: "Envoi…" never hangs.
  const timeout = AbortSignal.timeout(method === 'GET' ? READ_TIMEOUT_MS : WRITE_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      credentials: 'same-origin',
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({
      statusCode: 0,
      error: timeout.aborted ? 'Timeout' : 'Network Error',
      message: error instanceof Error ? error.message : String(error),
    });
  }

  const payload = await readJson(response);
  if (!response.ok) {
    if (response.status === 401 && session) sessionStore.clear();
    throw new ApiError(
      isErrorBody(payload)
        ? payload
        : {
            statusCode: response.status,
            error: response.statusText || 'Error',
            message: response.statusText || `HTTP ${response.status}`,
          },
    );
  }
  return payload as T;
}
