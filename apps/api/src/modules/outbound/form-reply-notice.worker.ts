import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { SendResult } from '@guichet/channels';
import type { Job } from 'pg-boss' with { 'resolution-mode': 'import' };
import { APP_CONFIG, type AppConfig } from '../../config';
import { Database } from '../../common/database';
import { JobQueue, OUTBOUND_RETRY_LIMIT } from '../../infra/jobs/job-queue';
import { OrganizationMail } from '../organizations/organization-mail.service';
import { FORM_NOTICE_MAIL_QUEUE, formNoticeSubject } from './form-reply-notice.service';
import { OutboundWorker, type OutboundJob } from './outbound.worker';
import { OutboundRepository } from './outbound.repository';

/**
 * Sends a form's e-mail notice through the organization's own outgoing mail. Accepted by its SMTP
 * server: « Envoyé » (no provider reports a delivery here, so never « Distribué »); refused or
 * unreachable after the retries: « Échec » with the server's reason.
 *
 * Sent once like a reply (issue 18): through the outbound worker's attempt path (`sendOnce`: the
 * attempt committed as `sending` before the SMTP call, an interrupted one settled). An interrupted
 * notice is sent again with the same Message-ID (derived from the message's id: OrganizationMail),
 * as an interrupted e-mail reply is (email.adapter.ts says why).
 */
@Injectable()
export class FormReplyNoticeWorker implements OnApplicationBootstrap {
  constructor(
    private readonly repo: OutboundRepository,
    private readonly queue: JobQueue,
    private readonly db: Database,
    private readonly mail: OrganizationMail,
    private readonly outbound: OutboundWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.ensureQueue(FORM_NOTICE_MAIL_QUEUE, { retryLimit: OUTBOUND_RETRY_LIMIT });
    if (!this.config.runJobs) return;
    await this.queue.work<OutboundJob>(FORM_NOTICE_MAIL_QUEUE, (job) => this.handle(job));
  }

  async handle(job: Job<OutboundJob>): Promise<void> {
    const { messageId, organizationId } = job.data;
    const row = await this.outbound.sendable(job);
    if (!row) return;
    const notice = await this.repo.formNoticeMail(organizationId, messageId);
    if (!notice || notice.notice?.via !== 'email') return;
    const to = notice.notice.to;
    const subject = formNoticeSubject(notice.reference, notice.organization_name);
    await this.outbound.sendOnce(job, row, {
      kind: 'email',
      interrupted: 'resend',
      send: async (): Promise<SendResult> => {
        try {
          await this.db.tx((m) => this.mail.send(m, organizationId, { to, subject, text: row.body, messageId }));
          return { ok: true, status: 'sent' };
        } catch (e) {
          // Retried with backoff, then « Échec » with the server's reason (as before).
          return { ok: false, temporary: true, reason: (e as Error).message };
        }
      },
    });
  }
}
