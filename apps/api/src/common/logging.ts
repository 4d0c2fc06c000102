import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger as PinoRoot } from 'pino';
import pretty from 'pino-pretty';
import { currentContext } from './request-context';
import { routePattern, type WithRoutePattern } from './route-pattern';
import { scrubPersonalData } from './log-scrub';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

export interface LogOptions {
  level: LogLevel;
  /** `pretty`: coloured lines for a terminal (the embedded default on a TTY); `json`: one object per line. */
  format: 'json' | 'pretty';
  /** Where lines go; stdout by default (tests capture them). */
  destination?: DestinationStream;
}

type RawRequest = IncomingMessage & WithRoutePattern;

/**
 * The route an answer's line names: its pattern (`/api/v1/conversations/:id`), noted in the
 * request's context when Nest matched it, never the path with its ids, nor the query.
 */
function routeOf(req: RawRequest): string {
  return currentContext()?.route ?? routePattern(req) ?? maskPath((req.url ?? '').split('?')[0]!);
}

/** A path outside Nest's routes (static files, webhooks): long tokens and ids in it are masked. */
function maskPath(path: string): string {
  return path
    .split('/')
    .map((s) => (s.length >= 16 || /@|\d{6}/.test(s) ? ':x' : s))
    .join('/');
}

function scrubArgs(args: unknown[]): unknown[] {
  return args.map((a) => {
    if (typeof a === 'string') return scrubPersonalData(a);
    if (a instanceof Error)
      return { err: { type: a.name, message: scrubPersonalData(a.message), stack: scrubPersonalData(a.stack ?? '') } };
    if (a && typeof a === 'object' && 'err' in a && (a as { err: unknown }).err instanceof Error) {
      const e = (a as { err: Error }).err;
      return { ...a, err: { type: e.name, message: scrubPersonalData(e.message), stack: scrubPersonalData(e.stack ?? '') } };
    }
    return a;
  });
}

/**
 * The root pino logger: every line carries the request id and organization of the request, job
 * or socket event it was written for (common/request-context.ts); strings are scrubbed of e-mail
 * addresses and phone numbers as a last guard.
 */
export function rootLogger(o: LogOptions): PinoRoot {
  const stream =
    o.destination ??
    (o.format === 'pretty'
      ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
      : pino.destination({ sync: false }));
  return pino(
    {
      level: o.level,
      base: { service: 'guichet' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // HTTP lines get their request id from pino-http's binding; jobs and socket events from here.
      mixin() {
        const c = currentContext();
        if (!c) return {};
        return c.via === 'http'
          ? c.organizationId
            ? { organizationId: c.organizationId }
            : {}
          : { requestId: c.requestId, ...(c.organizationId ? { organizationId: c.organizationId } : {}) };
      },
      hooks: {
        logMethod(args, method) {
          return method.apply(this, scrubArgs(args) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

/** nestjs-pino's options: one line per answer (debug when it succeeded, info for 4xx, error for 5xx). */
export function pinoHttpParams(logger: PinoRoot): Params {
  return {
    pinoHttp: {
      logger,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
      genReqId: (req: IncomingMessage) => currentContext()?.requestId ?? (req.headers['x-request-id'] as string) ?? 'inconnu',
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
      // The request is described when pino-http binds it, before routing: its method only; the
      // answer's line adds the route.
      customSuccessObject: (req: RawRequest, _res: ServerResponse, value: object) => ({ ...value, route: routeOf(req) }),
      customErrorObject: (req: RawRequest, _res: ServerResponse, _err: Error, value: object) => ({
        ...value,
        route: routeOf(req),
      }),
      serializers: {
        req: (req: { method?: string }) => ({ method: req.method }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      // Never the body, headers or cookies of anything.
      redact: { paths: ['req.headers', 'res.headers'], remove: true },
    },
  } as Params;
}

/** Nest's start-up chatter (one line per module and route) is left out below debug. */
const NEST_START_UP = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'WebSocketsController',
]);

export class QuietStartLogger implements LoggerService {
  constructor(
    private readonly inner: LoggerService,
    private readonly level: LogLevel,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (this.level !== 'debug' && NEST_START_UP.has(rest.at(-1) as string)) return;
    this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}
