import { Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@guichet/contracts';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository } from '../conversations/conversation.repository';
import { MessageRepository } from '../messages/message.repository';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';
import { OutboundRepository } from './outbound.repository';

const RANK: Record<DeliveryStatus, number> = { received: 0, queued: 1, sent: 2, delivered: 3, failed: 4 };

/**
 * Moves an outbound message's delivery status (provider callbacks, DSN bounces, read receipts)
 * and pushes it live. Callbacks arrive out of order: a status never goes backwards, and a
 * failure report wins over "sent" and "delivered".
 */
@Injectable()
export class DeliveryStatusService {
  constructor(
    private readonly repo: OutboundRepository,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
  ) {}

  /** Returns false when no outbound message of this channel has that external id. */
  async update(channelId: string, externalId: string, status: DeliveryStatus, error?: string | null): Promise<boolean> {
    const row = await this.repo.findByExternalId(channelId, externalId);
    if (!row) return false;
    if (RANK[status] <= RANK[row.status]) return true;
    await this.messages.setStatus(undefined, row.id, status, {
      error: status === 'failed' ? (error ?? 'échec de remise') : null,
    });
    await this.announce(row.organization_id, row.conversation_id, row.id);
    return true;
  }

  /** Tells that a message's delivery status changed (after its write), with its conversation. */
  async announce(organizationId: string, conversationId: string, messageId: string): Promise<void> {
    const [conversation, message] = await Promise.all([
      this.conversations.findById(organizationId, conversationId),
      this.messages.findDto(messageId),
    ]);
    if (conversation && message) {
      await this.events.emit(
        domainEvent('message.updated', organizationId, {
          conversation: toConversationDto(conversation),
          message,
          change: 'status',
        }),
      );
    }
  }
}
