import type { ConversationDto } from '@guichet/contracts';

/** Typed errors of the API edge; mapped to HTTP in one place (http-exception.filter.ts). */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'locked'
  | 'gone'
  | 'stale_version'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unprocessable'
  | 'unavailable';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  gone: 410,
  stale_version: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[],
    readonly extra?: { current?: ConversationDto; retryAfterSeconds?: number },
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const badRequest = (message: string, details?: string[]) => new AppError('bad_request', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} introuvable`);
export const forbidden = (message = 'accès refusé') => new AppError('forbidden', message);
export const unauthorized = (message = 'authentification requise') => new AppError('unauthorized', message);
export const staleVersion = (current: ConversationDto) =>
  new AppError(
    'stale_version',
    'la conversation a changé depuis votre dernière lecture : vérifiez avant de renvoyer',
    undefined,
    { current },
  );

export const conflict = (message: string) => new AppError('conflict', message);
/** The citizen's data is limited (RGPD art. 18): stored, not processed; 423 with the French reason. */
export const locked = (message: string) => new AppError('locked', message);
/** What existed and is closed for good or for now (an archived town's citizen pages). */
export const gone = (message: string) => new AppError('gone', message);
/** An archived town's citizen pages and their API: 410, its online services are closed (nothing is deleted). */
export const organizationClosed = () => gone('cette mairie a fermé ses services en ligne sur cette plateforme');

/** The constraint a PostgreSQL unique violation (23505) names, if `e` is one. */
export function uniqueViolation(e: unknown): string | undefined {
  const d = ((e as { driverError?: unknown })?.driverError ?? e) as { code?: string; constraint?: string } | undefined;
  return d?.code === '23505' ? (d.constraint ?? '') : undefined;
}
