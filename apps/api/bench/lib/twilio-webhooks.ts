import { randomBytes } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import type { BenchEnv } from './env';
import { createAgents } from './fixtures';
import { apiJson, FormPoster } from './http';

/** Inbound Twilio SMS webhooks for benches: a channel created over the API, requests signed as Twilio signs them. */

export const TWILIO_ACCOUNT = 'AC' + '0'.repeat(32);

/**
 * Resolves once the webhook inbox holds nothing waiting: what was acknowledged (stored) has been
 * processed. A refused row fails the bench (it would be a message lost to the count).
 */
export async function inboxDrained(db: Pick<BenchEnv['db'], 'query'>, deadlineMs = 10 * 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const { rows } = await db.query<{ waiting: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE failed_at IS NULL)::int AS waiting, count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed FROM webhook_inbox`,
    );
    if (rows[0]!.failed) throw new Error(`${rows[0]!.failed} webhooks refused after their acknowledgement`);
    if (!rows[0]!.waiting) return;
    if (Date.now() > deadline) throw new Error(`${rows[0]!.waiting} acknowledged webhooks still waiting`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
export const TWILIO_NUMBER = '+33700000001';

/** Valid French mobile numbers, one per citizen. */
export const phoneOf = (citizen: number): string => `+3361${String(2_000_000 + citizen).padStart(7, '0')}`;

export interface SmsChannel {
  id: string;
  authToken: string;
}

/** An admin creates the SMS channel with `POST /api/v1/channels`, so its auth token is encrypted at rest like in production. */
/** `send`: the Twilio stand-in its replies go to (its URL, and the auth token it accepts). */
export async function createSmsChannelOverApi(
  env: BenchEnv,
  organizationId: string,
  teamId: string,
  send?: { apiBaseUrl: string; authToken: string },
): Promise<SmsChannel> {
  const [admin] = await createAgents(env.db, { organizationId, role: 'admin', teamIds: [teamId], count: 1 });
  const authToken = send?.authToken ?? randomBytes(16).toString('hex');
  const res = await apiJson<{ id?: string }>(env.app.url, 'POST', '/channels', admin!.token, {
    kind: 'sms',
    name: 'Mairie SMS',
    teamId,
    config: {
      accountSid: TWILIO_ACCOUNT,
      authToken,
      phoneNumber: TWILIO_NUMBER,
      ...(send ? { apiBaseUrl: send.apiBaseUrl } : {}),
    },
  });
  if (res.status !== 201 || !res.body.id)
    throw new Error(`POST /api/v1/channels answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, authToken };
}

/** Posts Twilio's inbound-message webhook with `X-Twilio-Signature` over the public URL, as Twilio does. */
export class SmsWebhookSender {
  private readonly poster: FormPoster;
  private readonly path: string;
  private readonly tag = randomBytes(4).toString('hex');

  constructor(
    private readonly env: BenchEnv,
    private readonly channel: SmsChannel,
    connections: number,
  ) {
    this.poster = new FormPoster(env.app.url, connections);
    this.path = `/webhooks/twilio/${channel.id}/sms`;
  }

  /** A MessageSid unique to this sender and `key` (34 characters like Twilio's). */
  sid(key: string | number): string {
    return `SM${this.tag}${String(key).padStart(24, '0')}`;
  }

  /** Resolves with the acknowledgement time once the webhook answered 200 (an error otherwise). */
  async send(from: string, sid: string, body: string): Promise<number> {
    const params = { MessageSid: sid, AccountSid: TWILIO_ACCOUNT, From: from, To: TWILIO_NUMBER, Body: body, NumMedia: '0' };
    const signature = twilioSignature(this.channel.authToken, this.env.config.publicUrl + this.path, params);
    const res = await this.poster.post(this.path, params, { 'x-twilio-signature': signature });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.body.slice(0, 200)}`);
    return res.ms;
  }

  close(): void {
    this.poster.close();
  }
}
