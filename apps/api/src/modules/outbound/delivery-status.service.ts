import { Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@guichet/contracts';
import { Database } from '../../common/database.service';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository } from '../conversations/conversation.repository';
import { MessageRepository } from '../messages/message.repository';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';

const RANK: Record<DeliveryStatus, number> = { received: 0, queued: 1, sent: 2, delivered: 3, failed: 4 };

/**
 * Moves an outbound message's delivery status (provider callbacks, DSN bounces, read receipts)
 * and pushes it live. Callbacks arrive out of order: a status never goes backwards, and a
 * failure report wins over "sent" and "delivered".
 */
@Injectable()
export class DeliveryStatusService {
  constructor(
    private readonly db: Database,
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly events: DomainEvents,
  ) {}

  /** Returns false when no outbound message of this channel has that external id. */
  async update(channelId: string, externalId: string, status: DeliveryStatus, error?: string | null): Promise<boolean> {
    const [row] = await this.db.query<{ id: string; status: DeliveryStatus; organization_id: string; conversation_id: string }>(
      `SELECT id, status, organization_id, conversation_id FROM message
        WHERE channel_id = $1 AND external_id = $2 AND direction = 'outbound'`,
      [channelId, externalId],
    );
    if (!row) return false;
    if (RANK[status] <= RANK[row.status]) return true;
    await this.messages.setStatus(undefined, row.id, status, {
      error: status === 'failed' ? (error ?? 'échec de remise') : null,
    });
    const [conversation, message] = await Promise.all([
      this.conversations.findById(row.organization_id, row.conversation_id),
      this.messages.findDto(row.id),
    ]);
    if (conversation && message) {
      await this.events.emit(
        domainEvent('message.updated', row.organization_id, {
          conversation: toConversationDto(conversation),
          message,
          change: 'status',
        }),
      );
    }
    return true;
  }
}
