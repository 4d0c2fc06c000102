import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { describeIssues, InvalidIdentityError, LIMITS, type ApiErrorBody } from '@guichet/contracts';
import type { Response } from 'express';
import { ZodError } from 'zod';
import { AppError } from './errors';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * French reasons for what the framework and its parsers reject before our code runs (Express,
 * body-parser, multer and busboy, Nest's router): their own messages are English and technical.
 * Our code throws AppError with its own French message.
 */
const BY_STATUS: Record<number, string> = {
  400: 'requête invalide',
  401: 'authentification requise',
  403: 'accès refusé',
  404: 'adresse introuvable',
  405: 'méthode non autorisée',
  406: 'format de réponse non disponible',
  408: 'la requête a pris trop de temps : réessayez',
  409: 'la ressource a changé entre-temps : rechargez et réessayez',
  411: 'longueur de la requête manquante',
  413: 'requête trop volumineuse',
  414: 'adresse trop longue',
  415: 'type de contenu non pris en charge',
  422: 'requête impossible à traiter',
  429: 'trop de requêtes : réessayez plus tard',
  431: 'en-têtes de la requête trop volumineux',
  503: 'service momentanément indisponible : réessayez dans quelques instants',
};

const MIB = 1024 * 1024;
const MALFORMED_FORM = 'formulaire mal formé : renvoyez-le depuis la page de la commune';

/** body-parser errors, by their `type`. */
const BODY_PARSER: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'corps JSON invalide'],
  'entity.too.large': [413, 'requête trop volumineuse'],
  'parameters.too.many': [413, 'trop de champs dans la requête'],
  'charset.unsupported': [415, 'jeu de caractères non pris en charge : envoyez le texte en UTF-8'],
  'encoding.unsupported': [415, 'encodage du contenu non pris en charge'],
  'request.aborted': [400, 'requête interrompue avant la fin'],
  'request.size.invalid': [400, 'taille de la requête différente de celle annoncée'],
};

/** multer errors, by their `code` (`field` is the form field's name, when there is one). */
const MULTER: Record<string, (field: string | undefined) => [number, string]> = {
  LIMIT_FILE_SIZE: () => [413, `pièce jointe trop volumineuse : ${LIMITS.attachmentBytes / MIB} Mo au maximum par fichier`],
  LIMIT_FILE_COUNT: () => [400, `${LIMITS.attachmentsPerRequest} pièces jointes au maximum`],
  LIMIT_UNEXPECTED_FILE: () => [
    400,
    'fichier envoyé dans un champ inattendu : joignez les pièces jointes au champ « attachments »',
  ],
  LIMIT_FIELD_VALUE: (field) => [400, field ? `le champ « ${field} » est trop long` : 'un champ du formulaire est trop long'],
  LIMIT_FIELD_COUNT: () => [400, 'trop de champs dans le formulaire'],
  LIMIT_PART_COUNT: () => [400, 'trop de champs et de fichiers dans le formulaire'],
  LIMIT_FIELD_KEY: () => [400, 'nom de champ trop long dans le formulaire'],
  MISSING_FIELD_NAME: () => [400, 'champ sans nom dans le formulaire'],
  LIMIT_FIELD_NESTING: () => [400, 'nom de champ invalide dans le formulaire'],
  LIMIT_FIELD_ARRAY_INDEX: () => [400, 'nom de champ invalide dans le formulaire'],
  INVALID_FIELD_NAME: () => [400, 'nom de champ invalide dans le formulaire'],
};

/** busboy's errors on a multipart body it cannot read (they have no code). */
const BUSBOY = /^(Multipart: Boundary not found|Malformed part header|Unexpected end of (form|file))$/;

/** Every error leaves as `{ statusCode, error, message, details? }` with a French message; 5xx never leak internals. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (exception instanceof AppError && exception.extra?.retryAfterSeconds) {
      res.setHeader('Retry-After', String(exception.extra.retryAfterSeconds));
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(e: unknown): ApiErrorBody {
    const make = (statusCode: number, message: string, details?: string[]): ApiErrorBody => ({
      statusCode,
      error: REASONS[statusCode] ?? 'Error',
      message,
      ...(details?.length ? { details } : {}),
    });
    if (e instanceof AppError)
      return { ...make(e.status, e.message, e.details), ...(e.extra?.current ? { current: e.extra.current } : {}) };
    if (e instanceof ZodError) return make(400, 'requête invalide', describeIssues(e));
    if (e instanceof InvalidIdentityError) return make(400, e.message);
    // The Express adapter wraps what Express and its parsers reject (4xx) in an HttpException,
    // the original error as its cause; a raw one may still arrive from a middleware.
    const status = e instanceof HttpException ? e.getStatus() : undefined;
    const cause = (e instanceof HttpException ? e.cause : e) as
      { type?: unknown; code?: unknown; field?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause === 'object') {
      if (typeof cause.type === 'string' && BODY_PARSER[cause.type]) return make(...BODY_PARSER[cause.type]!);
      if (typeof cause.code === 'string' && MULTER[cause.code]) {
        const field = typeof cause.field === 'string' && /^[\w.[\]-]{1,40}$/.test(cause.field) ? cause.field : undefined;
        return make(...MULTER[cause.code]!(field));
      }
      if (typeof cause.message === 'string' && BUSBOY.test(cause.message)) return make(400, MALFORMED_FORM);
      if (cause instanceof URIError) return make(400, 'adresse invalide');
    }
    if (status !== undefined && status < 500)
      return make(status, BY_STATUS[status] ?? BY_STATUS[Math.floor(status / 100) * 100] ?? 'requête refusée');
    if (status === 503) return make(503, BY_STATUS[503]!);
    return make(500, 'erreur interne');
  }
}
