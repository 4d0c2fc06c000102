import { Injectable } from '@nestjs/common';
import type { ChannelKind, ConversationDto, MessageDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { toConversationDto, type ConversationRow } from './conversation.mapper';
import { ConversationRepository } from './conversation.repository';
import { MessageRepository } from './message.repository';

/**
 * What other features read of the conversation aggregate, for the system (a job, a webhook's
 * follow-up, the citizen's tracking page) or behind their own access check: agents read through
 * ConversationService, which checks theirs. Writes go through ConversationWriter.
 */
@Injectable()
export class ConversationReader {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
  ) {}

  /**
   * A conversation's row (for the access rule and the fields DTOs leave out), or null. `lock`:
   * inside a writer's transaction, held until it ends.
   */
  row(organizationId: string, id: string, manager?: EntityManager, lock = false): Promise<ConversationRow | null> {
    return this.conversations.findById(organizationId, id, manager, lock);
  }

  async conversation(organizationId: string, id: string, manager?: EntityManager): Promise<ConversationDto | null> {
    const row = await this.conversations.findById(organizationId, id, manager);
    return row && toConversationDto(row);
  }

  /** The conversation a public reference names (any organization: the reference is unique). */
  byReference(reference: string): Promise<ConversationRow | null> {
    return this.conversations.findByReference(reference);
  }

  /** A citizen's conversations, newest first. */
  forContact(organizationId: string, contactId: string): Promise<ConversationRow[]> {
    return this.conversations.forContact(organizationId, contactId);
  }

  /** What the access rule (canRead) needs of these conversations of the organization. */
  accessRows(...args: Parameters<ConversationRepository['accessRows']>): ReturnType<ConversationRepository['accessRows']> {
    return this.conversations.accessRows(...args);
  }

  message(id: string, manager?: EntityManager): Promise<MessageDto | null> {
    return this.messages.findDto(id, manager);
  }

  /** One page of a timeline (see MessageRepository.page). */
  messagesPage(...args: Parameters<MessageRepository['page']>): ReturnType<MessageRepository['page']> {
    return this.messages.page(...args);
  }

  /** When the citizen last wrote on this kind of channel (reply windows). */
  lastInboundAt(conversationId: string, channelKind: ChannelKind, manager?: EntityManager): Promise<Date | null> {
    return this.messages.lastInboundAt(conversationId, channelKind, manager);
  }
}
