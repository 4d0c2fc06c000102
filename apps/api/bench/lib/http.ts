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
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: nowMs() - start }));
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
