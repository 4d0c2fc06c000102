import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../../common/database';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import { RoutingService } from './routing.service';

/**
 * Durable: a citizen's new conversation is routed exactly once, enqueued with the write that
 * opened it (the ingest's outbox, the writer's transaction), retried until it succeeds; the
 * routing mark (conversation_routing) makes a second run do nothing. The acknowledgement's
 * listener routes first too (same call, same mark), so the accusé de réception names the service
 * and démarche the rules chose.
 */
@Injectable()
export class RoutingListener {
  constructor(private readonly routing: RoutingService) {}

  @OnDomainEvent('conversation.created', {
    durable: true,
    when: (e) => e.type === 'conversation.created' && e.origin === 'inbound',
  })
  async onCreated(e: DomainEvent<'conversation.created'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    await this.routing.routeIn(m, afterCommit, e.organizationId, e.conversationId);
  }
}
