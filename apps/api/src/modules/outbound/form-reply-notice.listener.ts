import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../../common/database';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import { FormReplyNotices } from './form-reply-notice.service';

/**
 * Durable: an agent's reply on the web form is stored with its outbox row, and its notices are
 * queued once, even across a crash (issue 21 item 5).
 */
@Injectable()
export class FormReplyNoticeListener {
  constructor(private readonly notices: FormReplyNotices) {}

  @OnDomainEvent('message.sent', {
    durable: true,
    when: (e) =>
      e.type === 'message.sent' &&
      e.byAgentId !== null &&
      e.message.kind === 'message' &&
      e.message.direction === 'outbound' &&
      e.message.channelKind === 'webform' &&
      !e.message.notice,
  })
  async onReply(e: DomainEvent<'message.sent'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    await this.notices.onFormReply(m, afterCommit, e.organizationId, e.conversationId, e.message);
  }
}
