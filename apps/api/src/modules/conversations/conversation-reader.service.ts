import { Injectable } from '@nestjs/common';
import type { ConversationDto, MessageDto } from '@guichet/contracts';
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

  /** A citizen's conversations, newest first (at most `limit`). */
  forContact(organizationId: string, contactId: string, limit?: number): Promise<ConversationRow[]> {
    return this.conversations.forContact(organizationId, contactId, limit);
  }

  /**
   * The contact's most recent conversation still in progress (threading of a channel's events);
   * `processable`: of those the citizen's limitation (RGPD art. 18) does not freeze.
   */
  latestOpenId(manager: EntityManager, contactId: string, o: { processable?: boolean } = {}): Promise<string | null> {
    return this.conversations.latestOpenId(manager, contactId, o);
  }

  /** What the access rule (canRead) needs of these conversations of the organization. */
  accessRows(...args: Parameters<ConversationRepository['accessRows']>): ReturnType<ConversationRepository['accessRows']> {
    return this.conversations.accessRows(...args);
  }

  message(id: string, manager?: EntityManager): Promise<MessageDto | null> {
    return this.messages.findDto(id, manager);
  }

  /** Several messages by id (in no particular order); those gone since are left out. */
  messagesByIds(ids: string[], manager?: EntityManager): Promise<MessageDto[]> {
    return this.messages.findDtos(ids, manager);
  }

  /** A channel's message by the provider's id, with its conversation and citizen (a provider's retry). */
  messageByExternalId(channelId: string, externalId: string): ReturnType<MessageRepository['byExternalId']> {
    return this.messages.byExternalId(channelId, externalId);
  }

  /** One page of a timeline (see MessageRepository.page). */
  messagesPage(...args: Parameters<MessageRepository['page']>): ReturnType<MessageRepository['page']> {
    return this.messages.page(...args);
  }
}
