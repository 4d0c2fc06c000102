import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { JobQueue, OUTBOUND_RETRY_LIMIT } from '../../infra/jobs/job-queue';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { FORM_NOTICE_MAIL_QUEUE, formNoticeSubject } from './form-reply-notice.service';
import type { OutboundJob } from './outbound.worker';
import { OutboundRepository } from './outbound.repository';

/**
 * Sends a form's e-mail notice through the organization's own outgoing mail. Accepted by its SMTP
 * server: « Envoyé » (no provider reports a delivery here, so never « Distribué »); refused or
 * unreachable after the retries: « Échec » with the server's reason.
 */
@Injectable()
export class FormReplyNoticeWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger('FormNotices');

  constructor(
    private readonly repo: OutboundRepository,
    private readonly queue: JobQueue,
    private readonly db: Database,
    private readonly mail: OrganizationMail,
    private readonly writer: ConversationWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(FORM_NOTICE_MAIL_QUEUE, { retryLimit: OUTBOUND_RETRY_LIMIT });
    if (!this.config.runJobs) return;
    await this.queue.work<OutboundJob>(FORM_NOTICE_MAIL_QUEUE, (job) => this.handle(job));
  }

  async handle(job: Job<OutboundJob>): Promise<void> {
    const { messageId, organizationId } = job.data;
    const row = await this.repo.formNoticeMail(organizationId, messageId);
    if (!row || row.status !== 'queued' || row.notice?.via !== 'email') return;
    const subject = formNoticeSubject(row.reference, row.organization_name);
    let error: string | null = null;
    try {
      await this.db.tx((m) => this.mail.send(m, organizationId, { to: row.notice!.to, subject, text: row.body }));
    } catch (e) {
      error = (e as Error).message;
      if (job.retryCount < OUTBOUND_RETRY_LIMIT) {
        this.logger.warn(`avis ${messageId} : ${error} (nouvel essai)`);
        throw e;
      }
    }
    await this.writer.messageStatus(organizationId, row.conversation_id, messageId, error ? 'failed' : 'sent', { error });
  }
}
