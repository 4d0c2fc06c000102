import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isTwilioHostedUrl, rewriteTwilioUrl } from '@guichet/channels';
import type { DeliveryStatus } from '@guichet/contracts';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, type AppConfig } from '../../config';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService } from '../channels/channel.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { DeliveryStatusService } from '../outbound/delivery-status.service';
import { JobQueue } from '../../infra/jobs/job-queue';
import { CallRepository } from './call.repository';

export const TELEPHONY_MEDIA_QUEUE = 'telephony-media';
export const TELEPHONY_STATUS_QUEUE = 'telephony-status';
const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

export interface MediaJob {
  organizationId: string;
  channelId: string;
  messageId: string;
  items: { url: string; contentType?: string; fileName: string }[];
}

/** A delivery status that arrived before the outbound worker stored the provider's id. */
export interface LateStatusJob {
  channelId: string;
  externalId: string;
  status: DeliveryStatus;
  error: string | null;
}

class PermanentMediaError extends Error {}

/**
 * Slow follow-up of webhooks on the durable job queue: MMS/WhatsApp media and call recordings
 * are downloaded (with the Twilio account's credentials when the URL is Twilio's) into the blob
 * store and attached to their message through the writer (told after commit, durable listeners
 * included). Retried with backoff on network errors.
 */
@Injectable()
export class TelephonyQueue implements OnApplicationBootstrap {
  private readonly logger = new Logger('Telephony');

  constructor(
    private readonly queue: JobQueue,
    private readonly channels: ChannelService,
    private readonly writer: ConversationWriter,
    private readonly calls: CallRepository,
    private readonly blobs: BlobStore,
    private readonly delivery: DeliveryStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(TELEPHONY_MEDIA_QUEUE, { retryLimit: 6, expireInSeconds: 300 });
    await this.queue.ensureQueue(TELEPHONY_STATUS_QUEUE, { retryLimit: 5 });
    if (!this.config.runJobs) return;
    await this.queue.work<MediaJob>(TELEPHONY_MEDIA_QUEUE, (job) => this.fetchMedia(job));
    await this.queue.work<LateStatusJob>(TELEPHONY_STATUS_QUEUE, (job) => this.applyLateStatus(job));
  }

  /**
   * Twilio may call back before the worker has stored the message's sid: the status is applied
   * again with backoff (a few seconds, then more) until the message is known.
   */
  async sendLateStatus(job: LateStatusJob): Promise<void> {
    await this.queue.send(TELEPHONY_STATUS_QUEUE, job);
  }

  async applyLateStatus(job: Job<LateStatusJob>): Promise<void> {
    const { channelId, externalId, status, error } = job.data;
    if (!(await this.delivery.update(channelId, externalId, status, error)))
      throw new Error(`message ${externalId} encore inconnu`);
  }

  async sendMedia(job: MediaJob): Promise<void> {
    if (!job.items.length) return;
    await this.queue.send(TELEPHONY_MEDIA_QUEUE, job);
  }

  async fetchMedia(job: Job<MediaJob>): Promise<void> {
    const { organizationId, channelId, messageId, items } = job.data;
    const channel = await this.channels.resolve(organizationId, channelId);
    if (!channel) return;
    const config = channel.config as { accountSid?: string; authToken?: string; apiBaseUrl?: string };
    const attached = new Set(await this.calls.attachmentShas(messageId));
    const fresh: { fileName: string; contentType: string; size: number; sha256: string }[] = [];
    for (const item of items) {
      let bytes: Uint8Array;
      let contentType: string;
      try {
        ({ bytes, contentType } = await this.download(item.url, config));
      } catch (e) {
        if (e instanceof PermanentMediaError) {
          this.logger.warn(`média ${item.url} abandonné : ${e.message}`);
          continue;
        }
        throw e;
      }
      const { sha256, size } = await this.blobs.put(bytes);
      if (attached.has(sha256)) continue;
      attached.add(sha256);
      fresh.push({ fileName: item.fileName, contentType: item.contentType ?? contentType, size, sha256 });
    }
    if (!fresh.length) return;
    const where = await this.calls.conversationOf(messageId);
    if (!where) return;
    await this.writer.attachFiles(organizationId, where.conversation_id, messageId, fresh);
  }

  private async download(url: string, c: { accountSid?: string; authToken?: string; apiBaseUrl?: string }) {
    const headers: Record<string, string> = {};
    let target = url;
    if (c.accountSid && c.authToken && isTwilioHostedUrl(url, c.apiBaseUrl)) {
      headers.authorization = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
      target = /^https:\/\/api\.twilio\.com\//.test(url) ? rewriteTwilioUrl(url, c.apiBaseUrl) : url;
    }
    const res = await fetch(target, { headers, signal: AbortSignal.timeout(30_000) });
    if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentMediaError(`HTTP ${res.status}`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_MEDIA_BYTES) throw new PermanentMediaError('fichier trop volumineux');
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > MAX_MEDIA_BYTES) throw new PermanentMediaError('fichier trop volumineux');
    return { bytes, contentType: res.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream' };
  }
}
