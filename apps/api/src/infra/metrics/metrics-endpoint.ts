import { createServer, type Server } from 'node:http';
import type { Request, Response } from 'express';
import type { MetricsConfig } from '../../config';
import { safeEqual } from '../../common/safe-equal';
import type { Metrics } from './metrics';

function authorized(config: MetricsConfig, header: string | undefined): boolean {
  if (!config.token) return true;
  const m = /^Bearer (.+)$/i.exec(header ?? '');
  return !!m && safeEqual(m[1]!, config.token);
}

async function answer(metrics: Metrics, config: MetricsConfig, authorization: string | undefined) {
  if (!authorized(config, authorization)) {
    return { status: 401, type: 'text/plain; charset=utf-8', body: 'jeton de métriques manquant ou invalide\n' };
  }
  return { status: 200, type: metrics.contentType, body: await metrics.scrape() };
}

/** GET /metrics on the API's own express app (the embedded default). */
export function metricsRoute(metrics: Metrics, config: MetricsConfig) {
  return (req: Request, res: Response) => {
    void answer(metrics, config, req.headers.authorization).then(
      (a) => res.status(a.status).set('content-type', a.type).set('cache-control', 'no-store').send(a.body),
      () => res.status(500).type('text/plain').send('métriques indisponibles\n'),
    );
  };
}

/** /metrics alone on an internal port (METRICS_PORT): the public port does not serve it. */
export async function startMetricsServer(metrics: Metrics, config: MetricsConfig): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('introuvable\n');
      return;
    }
    void answer(metrics, config, req.headers.authorization).then(
      (a) => res.writeHead(a.status, { 'content-type': a.type, 'cache-control': 'no-store' }).end(a.body),
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('métriques indisponibles\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '127.0.0.1', () => resolve());
  });
  return server;
}
