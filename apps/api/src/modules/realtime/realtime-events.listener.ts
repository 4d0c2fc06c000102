import { Injectable } from '@nestjs/common';
import { OnDomainEvent } from '../events/domain-event-bus';
import type { DomainEvent } from '../events/domain-events';
import { RealtimePublisher } from './realtime.publisher';

/**
 * Domain events to socket events (libs/contracts events.ts), to the rooms allowed to see them.
 * `conversation.assigned`, `.transferred`, `.status_changed` and `call.missed` need nothing
 * more: the `conversation.updated` or message event that goes out beside them carries the DTO
 * (a socket client hears one event per change, as before domain events).
 */
@Injectable()
export class RealtimeEvents {
  constructor(private readonly publisher: RealtimePublisher) {}

  @OnDomainEvent(['message.received', 'message.sent'])
  async messageCreated(e: DomainEvent<'message.received' | 'message.sent'>): Promise<void> {
    this.publisher.message('message.created', e.organizationId, e.conversation, e.message);
    // The colleagues a note names hear of it in their own rooms (never the author).
    if (e.type === 'message.sent' && e.mentionedAgentIds?.length) {
      const { conversation, byAgentId } = e;
      const to = e.mentionedAgentIds.filter((id) => id !== byAgentId);
      if (to.length)
        await this.publisher.notify(e.organizationId, to, { kind: 'mentioned', conversation, byAgentId, note: e.message.body });
    }
  }

  @OnDomainEvent('message.updated')
  messageUpdated(e: DomainEvent<'message.updated'>): void {
    this.publisher.message('message.updated', e.organizationId, e.conversation, e.message);
  }

  @OnDomainEvent('conversation.created')
  conversationCreated(e: DomainEvent<'conversation.created'>): void {
    this.publisher.conversation('conversation.created', e.organizationId, e.conversation);
  }

  /** The agents who see the event patch its registrants and places (events list, registrants screen). */
  @OnDomainEvent('registration.changed')
  registrationChanged(e: DomainEvent<'registration.changed'>): void {
    this.publisher.registration(`registration.${e.change}`, e.organizationId, e.teamId, e.registration, e.places);
  }

  /** The agents who see the event patch it (events list, registrants screen): created, changed, cancelled. */
  @OnDomainEvent('municipal_event.changed')
  municipalEventChanged(e: DomainEvent<'municipal_event.changed'>): void {
    this.publisher.municipalEvent(`municipal_event.${e.change}`, e.organizationId, e.event);
  }

  /** Those who could see a file deleted by retention drop it from their lists and counters. */
  @OnDomainEvent('conversation.deleted')
  conversationDeleted(e: DomainEvent<'conversation.deleted'>): void {
    this.publisher.conversation('conversation.deleted', e.organizationId, e.conversation);
  }

  /** The agent a file is handed to (and the one it is taken from, by someone else) is told. */
  @OnDomainEvent('conversation.assigned')
  async conversationAssigned(e: DomainEvent<'conversation.assigned'>): Promise<void> {
    const { conversation, assigneeId, previousAssigneeId, byAgentId, note } = e;
    if (assigneeId && assigneeId !== byAgentId)
      await this.publisher.notify(e.organizationId, [assigneeId], { kind: 'assigned', conversation, byAgentId, note });
    if (previousAssigneeId && previousAssigneeId !== byAgentId)
      await this.publisher.notify(e.organizationId, [previousAssigneeId], { kind: 'unassigned', conversation, byAgentId, note });
  }

  /** The receiving service hears of a file transferred to it (each client skips its own action). */
  @OnDomainEvent('conversation.transferred')
  async conversationTransferred(e: DomainEvent<'conversation.transferred'>): Promise<void> {
    const { conversation, byAgentId, note } = e;
    await this.publisher.notify(e.organizationId, [], { kind: 'transferred', conversation, byAgentId, note }, e.teamId);
  }

  /** A due date near or passed: the file's assignee and its service's supervisors are told in the app. */
  @OnDomainEvent('conversation.deadline_warning')
  async deadlineWarning(e: DomainEvent<'conversation.deadline_warning'>): Promise<void> {
    if (!e.agentIds.length) return;
    await this.publisher.notify(e.organizationId, e.agentIds, {
      kind: e.stage === 'overdue' ? 'deadline_passed' : 'deadline_soon',
      conversation: e.conversation,
      byAgentId: null,
      dueAt: e.dueAt,
    });
  }

  /**
   * Those who had it (its former service too) hear that it changed; then, if it moved, whoever
   * may no longer read it leaves its room.
   */
  @OnDomainEvent('conversation.updated')
  async conversationUpdated(e: DomainEvent<'conversation.updated'>): Promise<void> {
    const { conversation: c, previous, before } = e;
    const previousTeams = previous && previous.teamId !== c.teamId ? [previous.teamId] : [];
    this.publisher.conversation('conversation.updated', e.organizationId, c, previousTeams, before);
    if (previous && (previous.teamId !== c.teamId || previous.assigneeId !== c.assigneeId)) {
      await this.publisher.conversationAccessChanged(e.organizationId, c.id);
    }
  }
}
