import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppModule } from './app.module';
import { dataSourceOptions } from './database/data-source';
import { migrate } from './database/migrate';
import type { AppConfig } from './config';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { QuietStartLogger } from './common/logging';
import { RoutePatternInterceptor, type WithRoutePattern } from './common/route-pattern';
import { ipOrNothing, requestIdFrom, runInContext, type RequestContext } from './common/request-context';
import { noStore, securityHeaders } from './common/security-headers';
import type { RedisIoAdapter } from './modules/realtime/redis-io.adapter';
import { Metrics } from './infra/metrics/metrics';
import { metricsRoute, startMetricsServer } from './infra/metrics/metrics-endpoint';
import { hasDemo, seedDemo } from './seed/seed-demo';
import { serveWebApp } from './web-app';

/** Where the tests and the bench import it from (the CLI imports ./database/migrate, not the app). */
export { migrate };

export interface RunningApp {
  app: INestApplication;
  url: string;
  /** Where Prometheus scrapes this instance; undefined when METRICS=0. */
  metricsUrl?: string;
  /** The database holds the demo town (seeded now or earlier). */
  demo: boolean;
  close(): Promise<void>;
}

/**
 * Migrations (and the demo seed) run on a short-lived connection before any module starts.
 * Returns whether the database holds the demo town.
 */
export async function prepareDatabase(config: AppConfig): Promise<boolean> {
  const dataSource = new DataSource(dataSourceOptions(config.databaseUrl, 2));
  await dataSource.initialize();
  try {
    await migrate(dataSource);
    if (config.seedDemo) await seedDemo(dataSource, config.logLevel === 'silent' ? undefined : { log: (m) => console.log(m) });
    return await hasDemo(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** `extraModules`: modules added beside the app's (a test's own listener of domain events, for instance). */
export async function createApp(config: AppConfig, extraModules: Type[] = []): Promise<RunningApp> {
  const demo = await prepareDatabase(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extraModules), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  // JSON lines through pino (common/logging.ts); Nest's start-up chatter (one line per route) only at debug.
  app.useLogger(new QuietStartLogger(app.get(PinoNestLogger), config.logLevel));
  // Every request runs in its context: its id (the proxy's X-Request-Id, or a new one, sent back)
  // goes on each log line written for it, and on the jobs it queues.
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const ip = ipOrNothing(req.ip);
    const context: RequestContext = { requestId, via: 'http', ...(ip ? { ip } : {}) };
    (req as WithRoutePattern).requestContext = context;
    runInContext(context, next);
  });
  const metricsConfig = config.metrics ?? { enabled: true };
  const metrics = app.get(Metrics);
  // Timed from the first middleware on, so the answer's whole cost is counted.
  if (metricsConfig.enabled) app.use(metrics.http());
  app.use(securityHeaders(config));
  // /metrics on the API's port (the embedded default), unless METRICS_PORT puts it on an internal one.
  if (metricsConfig.enabled && metricsConfig.port === undefined) {
    app.getHttpAdapter().getInstance().get('/metrics', metricsRoute(metrics, metricsConfig));
  }
  app.use('/api/v1', noStore);

  app.set('trust proxy', config.trustProxy ?? 'loopback');
  app.disable('x-powered-by');
  // Webhook bodies are left unread here: each webhook route reads them once its channel is known,
  // within its provider's limit, and parses them after the signature check (common/webhook-body.ts).
  const exceptWebhooks =
    (parse: express.RequestHandler): express.RequestHandler =>
    (req, res, next) =>
      /^\/webhooks(\/|$)/i.test(req.path) ? next() : parse(req, res, next);
  app.use(exceptWebhooks(express.json({ limit: '256kb' })));
  app.use(exceptWebhooks(express.urlencoded({ extended: false, limit: '256kb' })));
  app.setGlobalPrefix('api/v1', { exclude: ['webhooks/{*path}'] });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalInterceptors(new RoutePatternInterceptor());
  // Validation messages (zod's, where a schema gives none) in French, like every other error.
  z.config(z.locales.fr());

  let redis: RedisIoAdapter | undefined;
  if (config.redisUrl) {
    // The Redis client and adapter are loaded only when Redis is configured (several instances).
    const { RedisIoAdapter } =
      require('./modules/realtime/redis-io.adapter') as typeof import('./modules/realtime/redis-io.adapter');
    redis = new RedisIoAdapter(app);
    await redis.connect(config.redisUrl);
    app.useWebSocketAdapter(redis);
  }

  // The OpenAPI document is built at its first request (then kept), not at every start.
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Guichet API')
        .setDescription('La boîte de réception citoyenne : conversations, citoyens, canaux, temps réel.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  // The citizen pages, the built web app's files and the agent app's page (web-app.ts).
  serveWebApp(app, config.webDistDir);

  // The job queue starts in onModuleInit; features register their queues and workers in
  // onApplicationBootstrap, which Nest runs (and awaits) after it.
  await app.init();
  try {
    await app.listen(config.port, '0.0.0.0');
  } catch (e) {
    // Port taken: stop what init started (job queue, watchers) before the caller explains.
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (metricsConfig.enabled && metricsConfig.port !== undefined) {
    try {
      metricsServer = await startMetricsServer(metrics, metricsConfig);
    } catch (e) {
      await app.close().catch(() => undefined);
      throw e;
    }
  }
  const metricsAddress = metricsServer?.address();
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    metricsUrl:
      typeof metricsAddress === 'object' && metricsAddress
        ? `http://${metricsAddress.address}:${metricsAddress.port}/metrics`
        : metricsConfig.enabled
          ? `http://127.0.0.1:${port}/metrics`
          : undefined,
    demo,
    close: async () => {
      metricsServer?.closeAllConnections();
      metricsServer?.close();
      await app.close();
    },
  };
}
