import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../../common/database';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import { DeadlineListener } from '../request-types/deadline.listener';
import { RoutingService } from '../routing/routing.service';
import { AcknowledgementService } from './acknowledgement.service';

/**
 * Durable: the acknowledgement of a request is enqueued with the write that stored it (the
 * ingest's outbox, the writer's transaction) and runs once, even across a crash; the
 * `acknowledgement` rows make a re-run send nothing more.
 */
@Injectable()
export class AcknowledgementListener {
  constructor(
    private readonly acks: AcknowledgementService,
    private readonly deadlines: DeadlineListener,
    private readonly routing: RoutingService,
  ) {}

  /** A citizen's first message opened a conversation (not an agent's, not a provider echo). */
  @OnDomainEvent('message.received', {
    durable: true,
    when: (e) => e.type === 'message.received' && e.newConversation && e.message.kind === 'message',
  })
  async onReceived(e: DomainEvent<'message.received'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    // The routing rules first (once: the routing listener's run and this one share a mark), so
    // the acknowledgement names the service and démarche they chose.
    await this.routing.routeIn(m, afterCommit, e.organizationId, e.conversationId);
    // The démarche and the decision date first (idempotent, in this transaction): the accusé de
    // réception states them.
    await this.deadlines.initializeIn(m, afterCommit, e.organizationId, e.conversationId);
    await this.acks.onNewRequest(m, afterCommit, e.organizationId, e.conversationId);
  }

  /** An agent set or changed the démarche (or the system recomputed it). */
  @OnDomainEvent('conversation.updated', {
    durable: true,
    when: (e) =>
      e.type === 'conversation.updated' && (e.change === 'agent' || e.change === 'deadlines') && !!e.conversation.requestType,
  })
  async onUpdated(e: DomainEvent<'conversation.updated'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    await this.acks.onTypeMaybeChanged(m, afterCommit, e.organizationId, e.conversationId);
  }
}
