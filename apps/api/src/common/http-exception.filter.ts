import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { describeIssues, InvalidIdentityError, type ApiErrorBody } from '@guichet/contracts';
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
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Every error leaves as `{ statusCode, error, message, details? }`; 5xx never leak internals. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
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
    if (e instanceof AppError) return { ...make(e.status, e.message, e.details), ...(e.extra?.current ? { current: e.extra.current } : {}) };
    if (e instanceof ZodError) return make(400, 'requête invalide', describeIssues(e));
    if (e instanceof InvalidIdentityError) return make(400, e.message);
    if (e instanceof HttpException) {
      const status = e.getStatus();
      // Body-parser and URL errors arrive wrapped by the Express adapter, with English messages.
      if (e.cause instanceof SyntaxError) return make(400, 'corps JSON invalide');
      if (e.cause instanceof URIError) return make(400, 'adresse invalide');
      const r = e.getResponse();
      const raw = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? e.message);
      const message = Array.isArray(raw) ? raw.join(', ') : String(raw);
      // Body parser and multer errors carry English messages: give a French reason.
      if (status === 413) return make(413, 'requête trop volumineuse');
      return make(status, message);
    }
    const err = e as { type?: string; status?: number; code?: string; message?: string };
    if (err?.type === 'entity.parse.failed') return make(400, 'corps JSON invalide');
    if (err?.type === 'entity.too.large' || err?.code === 'LIMIT_FILE_SIZE') return make(413, 'requête trop volumineuse');
    if (typeof err?.code === 'string' && err.code.startsWith('LIMIT_')) return make(400, `pièces jointes refusées : ${err.message}`);
    return make(500, 'erreur interne');
  }
}
