import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchEnv } from './env';
import { nowMs } from './timing';
import { inboxDrained, TWILIO_ACCOUNT, TWILIO_NUMBER, type SmsChannel } from './twilio-webhooks';

export interface WebhookLoadInit {
  baseUrl: string;
  path: string;
  publicUrl: string;
  authToken: string;
  accountSid: string;
  to: string;
  connections: number;
  deadlineMs: number;
}

export interface WebhookLoadRequest {
  id: number;
  items: { from: string; sid: string; body: string }[];
  concurrency: number;
}

export interface WebhookLoadResult {
  id: number;
  /** Acknowledgement time of each webhook (request start to the last byte of the answer). */
  latencies: number[];
  elapsedMs: number;
  error?: string;
}

/** Signed inbound-SMS webhooks sent by a worker thread (webhook-load-worker.ts) with `concurrency` in flight. */
export class WebhookLoad {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, (r: WebhookLoadResult) => void>();

  constructor(
    private readonly env: BenchEnv,
    channel: SmsChannel,
    connections: number,
    private readonly deadlineMs: number,
  ) {
    const path = `/webhooks/twilio/${channel.id}/sms`;
    const init: WebhookLoadInit = {
      baseUrl: env.app.url,
      path,
      publicUrl: env.config.publicUrl,
      authToken: channel.authToken,
      accountSid: TWILIO_ACCOUNT,
      to: TWILIO_NUMBER,
      connections,
      deadlineMs,
    };
    this.worker = new Worker(join(__dirname, 'webhook-load-worker.js'), { workerData: init });
    this.worker.on('message', (r: WebhookLoadResult) => {
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
  }

  /**
   * Sends the webhooks; resolves once all are acknowledged (their latencies: acknowledgement
   * times) and processed (the elapsed time runs until the webhook inbox is drained, so that a
   * throughput computed from it counts messages filed, not only stored).
   */
  async run(items: WebhookLoadRequest['items'], concurrency: number): Promise<{ latencies: number[]; elapsedMs: number }> {
    const id = this.nextId++;
    const result = await new Promise<WebhookLoadResult>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, items, concurrency } satisfies WebhookLoadRequest);
    });
    if (result.error) throw new Error(result.error);
    const start = nowMs();
    await inboxDrained(this.env.db, this.deadlineMs);
    return { latencies: result.latencies, elapsedMs: result.elapsedMs + (nowMs() - start) };
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await this.worker.terminate();
  }
}
