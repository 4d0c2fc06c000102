import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseEmail, type EmailConfig } from '@guichet/channels';
import { APP_CONFIG, EMAIL_DEFAULTS, type AppConfig } from '../../config';
import { isInfrastructureError } from '../../common/database';
import { DeliveryStatusService } from '../outbound/delivery-status.service';
import { verifyReplyToken } from '../outbound/reply-token';
import { IngestService } from '../ingest/ingest.service';
import { EmailRepository } from './email.repository';

export type EmailOutcome =
  | { kind: 'stored'; messageId: string; conversationId: string; created: boolean }
  | { kind: 'delivery-report'; matched: boolean }
  | { kind: 'skipped'; eventId: string | null; reason: string }
  | { kind: 'quarantined'; quarantineId: string; error: string };

export interface EmailSource {
  folder: string;
  uid: number;
  source: Buffer;
  internalDate?: Date;
  /** Re-read after a UIDVALIDITY change: mail already imported is no news, not recorded again. */
  resync?: boolean;
}

export interface EmailChannelRef {
  id: string;
  organizationId: string;
  config: EmailConfig;
}

/**
 * One fetched mail -> a stored message (through IngestService), a delivery status update
 * (DSN bounces), or a quarantine row with the raw source and the error. Resolves only once one
 * of those is written; throws only for infrastructure failures (the watcher retries).
 */
@Injectable()
export class EmailIngestService {
  private readonly logger = new Logger('EmailIngest');

  constructor(
    private readonly ingest: IngestService,
    private readonly deliveryStatus: DeliveryStatusService,
    private readonly repo: EmailRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async process(channel: EmailChannelRef, mail: EmailSource): Promise<EmailOutcome> {
    try {
      return await this.store(channel, mail);
    } catch (e) {
      if (isInfrastructureError(e)) throw e;
      const error = e instanceof Error ? e.message : String(e);
      this.logger.warn(`mail UID ${mail.uid} (${mail.folder}) du canal ${channel.id} mis en quarantaine : ${error}`);
      const quarantineId = await this.repo.quarantine({
        organizationId: channel.organizationId,
        channelId: channel.id,
        folder: mail.folder,
        uid: mail.uid,
        raw: mail.source,
        error,
      });
      return { kind: 'quarantined', quarantineId, error };
    }
  }

  /** Parse and store; throws on anything that makes the mail unusable. */
  async store(channel: EmailChannelRef, mail: EmailSource): Promise<EmailOutcome> {
    const parsed = await parseEmail(mail.source, {
      channelId: channel.id,
      channelAddress: channel.config.address,
      maxAttachmentBytes: (this.config.email?.maxAttachmentMb ?? EMAIL_DEFAULTS.maxAttachmentMb) * 1024 * 1024,
    });
    const report = parsed.deliveryReport;
    if (report) {
      // A bounce is about a message we sent: it updates that message, it never opens a file.
      let matched = false;
      const applies = report.action === 'failed' || report.action === 'delivered';
      if (report.originalMessageId && applies) {
        matched = await this.deliveryStatus.update(
          channel.id,
          report.originalMessageId,
          report.action === 'failed' ? 'failed' : 'delivered',
          `non remis : ${report.reason}`,
        );
      }
      if (matched) return { kind: 'delivery-report', matched };
      // A report about nothing Guichet sent (or that changes nothing) stays visible, with its source.
      const reason = applies
        ? `rapport de non-remise sans message correspondant envoyé par Guichet : ${report.reason}`
        : `rapport de remise (${report.action}) sans effet sur les messages : ${report.reason}`;
      const eventId = await this.repo.recordEvent({
        organizationId: channel.organizationId,
        channelId: channel.id,
        folder: mail.folder,
        uid: mail.uid,
        kind: applies ? 'unmatched-bounce' : 'delivery-report',
        externalId: report.originalMessageId,
        reason,
        raw: mail.source,
      });
      return { kind: 'skipped', eventId, reason };
    }
    const inbound = parsed.inbound;
    // Only a token signed by this Guichet proves a conversation; forged or altered ones are ignored.
    const proven = parsed.replyTokens.map((t) => verifyReplyToken(this.config.appSecret, t)).find((id): id is string => !!id);
    if (proven) inbound.thread = { ...inbound.thread, conversationId: proven };
    // Backfilled mail keeps its arrival date; live mail is stamped now (IMAP dates have whole seconds).
    if (mail.internalDate && mail.internalDate.getTime() < Date.now() - 60_000) inbound.receivedAt = mail.internalDate;
    inbound.meta = { ...(inbound.meta ?? {}), imap: { folder: mail.folder, uid: mail.uid } };
    let result = await this.ingest.ingest(inbound);
    if (!result.created) {
      // Same Message-ID: the same mail only if its content is the same; otherwise it is stored under
      // the Message-ID and its content hash (the same variant again is then a duplicate too).
      const hash = String(inbound.meta.contentSha256);
      const stored = await this.repo.storedContentHash(channel.id, inbound.externalId);
      if (stored?.hash && stored.hash !== hash) {
        result = await this.ingest.ingest({ ...inbound, externalId: `${inbound.externalId}#${hash.slice(0, 16)}` });
      }
    }
    if (!result.created) {
      const reason = 'doublon : même Message-ID et même contenu qu’un message déjà importé';
      const eventId = mail.resync
        ? null
        : await this.repo.recordEvent({
            organizationId: channel.organizationId,
            channelId: channel.id,
            folder: mail.folder,
            uid: mail.uid,
            kind: 'duplicate',
            externalId: inbound.externalId,
            reason,
            raw: null,
          });
      return { kind: 'skipped', eventId, reason };
    }
    return { kind: 'stored', messageId: result.messageId, conversationId: result.conversationId, created: result.created };
  }
}
