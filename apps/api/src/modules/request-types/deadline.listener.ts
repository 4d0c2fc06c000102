import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../../common/database';
import { AppError } from '../../common/errors';
import { toCountedDto } from '../conversations/conversation.mapper';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { OnDomainEvent } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { DeadlineService } from './deadline.service';
import { RequestTypeRepository } from './request-type.repository';

/**
 * A new conversation gets its due dates: the démarche the citizen chose on the form (kept with
 * their first message by the one writer) and the response target of the channel it came by.
 * Idempotent: a conversation that already has them is left alone, so the form's own call and
 * this listener may both run.
 *
 * Durable: run once per new conversation from the queue (the ingest's outbox, the writer's
 * transaction), in batches; the acknowledgement's listener calls it first in its own run too.
 */
@Injectable()
export class DeadlineListener {
  constructor(
    private readonly reader: ConversationReader,
    private readonly writer: ConversationWriter,
    private readonly types: RequestTypeRepository,
    private readonly deadlines: DeadlineService,
  ) {}

  @OnDomainEvent('conversation.created', { durable: true })
  async onCreated(e: DomainEvent<'conversation.created'>, m: EntityManager, afterCommit: AfterCommit): Promise<void> {
    await this.initializeIn(m, afterCommit, e.organizationId, e.conversationId);
  }

  async initialize(organizationId: string, conversationId: string): Promise<void> {
    await this.writer.tx(({ m, afterCommit }) => this.initializeIn(m, afterCommit, organizationId, conversationId));
  }

  /** The same inside the caller's transaction (a durable listener that states the dates it sets). */
  async initializeIn(m: EntityManager, afterCommit: AfterCommit, organizationId: string, conversationId: string): Promise<void> {
    const tx = { m, afterCommit };
    const row = await this.reader.row(organizationId, conversationId, m, true);
    if (!row || row.request_type_id || row.response_due_at || row.decision_due_at) return;
    // Forwarded to the competent administration (CRPA L114-2) before this job ran: its clock is
    // stopped for good, it gets no due date afterwards.
    if (row.status === 'closed' && row.transmitted_to) return;
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
    await this.writer.updateConversation(tx, conversationId, changes, true);
    // The version is kept (no agent's draft goes stale): the state before lets screens move their
    // "overdue" and "due within 48 h" counters by what the new dates changed.
    const before = toCountedDto(row);
    await this.writer.tellConversation(tx, organizationId, conversationId, (conversation) => [
      domainEvent('conversation.updated', organizationId, { conversation, change: 'deadlines', before }),
    ]);
  }
}
