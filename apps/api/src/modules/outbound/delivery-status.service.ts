import { Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@guichet/contracts';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { OutboundRepository } from './outbound.repository';

// `sending` (an attempt whose outcome is not written yet, or left for an agent) below what a
// provider reports: a Meta echo or a Twilio callback of that attempt settles it.
const RANK: Record<DeliveryStatus, number> = { received: 0, queued: 1, sending: 2, sent: 3, delivered: 4, failed: 5 };

/**
 * Moves an outbound message's delivery status (provider callbacks, DSN bounces, read receipts)
 * and pushes it live. Callbacks arrive out of order: a status never goes backwards, and a
 * failure report wins over "sent" and "delivered".
 */
@Injectable()
export class DeliveryStatusService {
  constructor(
    private readonly repo: OutboundRepository,
    private readonly writer: ConversationWriter,
  ) {}

  /** Returns false when no outbound message of this channel has that external id. */
  async update(channelId: string, externalId: string, status: DeliveryStatus, error?: string | null): Promise<boolean> {
    const row = await this.repo.findByExternalId(channelId, externalId);
    if (!row) return false;
    if (RANK[status] <= RANK[row.status]) return true;
    await this.writer.messageStatus(row.organization_id, row.conversation_id, row.id, status, {
      error: status === 'failed' ? (error ?? 'échec de remise') : null,
    });
    return true;
  }
}
