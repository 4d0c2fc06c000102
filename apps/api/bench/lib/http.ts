import { Agent, request } from 'node:http';
import { nowMs, withTimeout } from './timing';

export interface TimedResponse {
  status: number;
  body: string;
  /** From the request's start to the last byte of the body. */
  ms: number;
}

/** Sequential GETs over one kept-alive loopback connection: what a browser tab does. */
export class HttpProbe {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`loopback URLs only: ${baseUrl}`);
  }

  get(path: string, token?: string): Promise<TimedResponse> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const start = nowMs();
    const done = new Promise<TimedResponse>((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, { agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: nowMs() - start }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    return withTimeout(done, this.timeoutMs, `GET ${path}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Form POSTs over a pool of kept-alive loopback connections (one per concurrent sender). */
export class FormPoster {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    connections: number,
    private readonly timeoutMs = 30_000,
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`loopback URLs only: ${baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TimedResponse> {
    const body = new URLSearchParams(form).toString();
    const start = nowMs();
    const done = new Promise<TimedResponse>((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: nowMs() - start }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    return withTimeout(done, this.timeoutMs, `POST ${path}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One JSON call to the API as an agent (fixtures that must go through the API, e.g. channels with secrets). */
export async function apiJson<T>(
  baseUrl: string,
  method: 'POST' | 'GET',
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`loopback URLs only: ${baseUrl}`);
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
