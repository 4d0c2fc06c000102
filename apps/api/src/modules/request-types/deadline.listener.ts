import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database, type AfterCommit } from '../../common/database.service';
import { AppError } from '../../common/errors';
import { ConversationRepository } from '../conversations/conversation.repository';
import { toConversationDto } from '../conversations/conversation.mapper';
import { OnDomainEvent, DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { DeadlineService } from './deadline.service';
import { RequestTypeRepository } from './request-type.repository';

/**
 * A new conversation gets its due dates: the démarche the citizen chose on the form (kept with
 * their first message by the one writer) and the response target of the channel it came by.
 * Idempotent: a conversation that already has them is left alone, so the form's own call and
 * this listener may both run.
 *
 * In-process for now: the ingest tells `conversation.created` after its group commit, without
 * an outbox (domain-event-bus.ts `emit`); it becomes durable when the ingest's outbox lands.
 */
@Injectable()
export class DeadlineListener {
  constructor(
    private readonly db: Database,
    private readonly conversations: ConversationRepository,
    private readonly types: RequestTypeRepository,
    private readonly deadlines: DeadlineService,
    private readonly events: DomainEvents,
  ) {}

  @OnDomainEvent('conversation.created')
  async onCreated(e: DomainEvent<'conversation.created'>): Promise<void> {
    await this.initialize(e.organizationId, e.conversationId);
  }

  async initialize(organizationId: string, conversationId: string): Promise<void> {
    await this.db.tx((m, afterCommit) => this.initializeIn(m, afterCommit, organizationId, conversationId));
  }

  /** The same inside the caller's transaction (a durable listener that states the dates it sets). */
  async initializeIn(m: EntityManager, afterCommit: AfterCommit, organizationId: string, conversationId: string): Promise<void> {
    const row = await this.conversations.findById(organizationId, conversationId, m, true);
    if (!row || row.request_type_id || row.response_due_at || row.decision_due_at) return;
    const chosen = await this.types.chosenOnForm(m, conversationId);
    let typeId: string | undefined;
    if (chosen) {
      // Checked by the form before the write; a type withdrawn meanwhile is simply not set.
      typeId = await this.deadlines.usableType(m, organizationId, row.team_id, chosen).then(
        (t) => t.id,
        (err: unknown) => {
          if (err instanceof AppError) return undefined;
          throw err;
        },
      );
    }
    const changes = await this.deadlines.changes(m, organizationId, conversationId, null, { typeId });
    if (!changes.requestTypeId && !changes.responseDueAt && !changes.decisionDueAt) return;
    await this.conversations.update(m, conversationId, changes, true);
    const conversation = toConversationDto((await this.conversations.findById(organizationId, conversationId, m))!);
    await this.events.record(
      m,
      afterCommit,
      domainEvent('conversation.updated', organizationId, { conversation, change: 'deadlines' }),
    );
  }
}
