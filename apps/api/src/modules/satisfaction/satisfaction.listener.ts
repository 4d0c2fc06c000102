import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../../common/database';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import { SatisfactionService } from './satisfaction.service';

/**
 * Durable: a resolution is enqueued with the write that made it and decided once, even across a
 * crash; the survey row (unique per conversation) makes a re-run send nothing more.
 */
@Injectable()
export class SatisfactionListener {
  constructor(private readonly satisfaction: SatisfactionService) {}

  @OnDomainEvent('conversation.status_changed', {
    durable: true,
    when: (e) => e.type === 'conversation.status_changed' && e.status === 'resolved',
  })
  async onResolved(e: DomainEvent<'conversation.status_changed'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    await this.satisfaction.onResolved(m, afterCommit, e.organizationId, e.conversationId);
  }
}
