import { Injectable } from '@nestjs/common';
import {
  CHANNEL_CAPABILITIES,
  type ChannelKind,
  type ConversationCountedDto,
  type ConversationDto,
  type MessageDto,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import type { AfterCommit } from '../../common/database';
import { snippetOf } from '../../common/snippet';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { domainEvent } from '../events/domain-events';
import { ConversationWriter, type NewAttachment, type WriterTx } from '../conversations/conversation-writer.service';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';

export interface AgentMessage {
  conversationId: string;
  contactId: string;
  /** A reply goes out on `channel` through `queue`; a note stays inside. */
  kind: 'reply' | 'note';
  channel: { id: string; kind: ChannelKind } | null;
  body: string;
  meta?: Record<string, unknown>;
  /** The job that sends it (default: the outbound queue of the channel adapters). */
  queue?: string;
  audit?: Record<string, unknown>;
  /** The agent opened the conversation (assigned to them) with this message. */
  newConversation?: boolean;
  /** Files sent with the reply (or kept with the note), bytes already in the blob store. */
  attachments?: NewAttachment[];
  /** Colleagues a note names (`@Prénom Nom`): told by a toast. */
  mentionedAgentIds?: string[];
  /**
   * What the counters read of the file before this write (the caller's locked row): told beside
   * `conversation.updated`, so screens move their counters without asking for them again.
   */
  before?: ConversationCountedDto;
}

/**
 * Stores what an agent writes in a conversation, inside the caller's transaction: the message
 * (queued, or recorded for a note), the conversation's activity, the send job (the outbox), the
 * audit line, and the domain events (after commit). Every agent-written message goes through here;
 * so do the town hall's own notices that an action causes (`notice`).
 */
@Injectable()
export class AgentMessages {
  constructor(
    private readonly queue: JobQueue,
    private readonly audit: AuditRepository,
    private readonly writer: ConversationWriter,
  ) {}

  async record(
    m: EntityManager,
    afterCommit: AfterCommit,
    agent: AuthAgent,
    v: AgentMessage,
  ): Promise<{ conversation: ConversationDto; message: MessageDto }> {
    const isReply = v.kind === 'reply';
    // A letter is printed and posted by an agent: it waits, queued, for them to mark it posted, and
    // answers the citizen only then (ConversationWriter.letterPosted: the first response's time).
    const postal = !!v.channel && CHANNEL_CAPABILITIES[v.channel.kind].postal;
    const tx = { m, afterCommit };
    const messageId = await this.writer.insertMessage(tx, {
      organizationId: agent.organizationId,
      conversationId: v.conversationId,
      direction: 'outbound',
      kind: isReply ? 'message' : 'note',
      channelId: v.channel?.id ?? null,
      authorAgentId: agent.id,
      body: v.body,
      status: isReply ? 'queued' : 'sent',
      meta: v.mentionedAgentIds?.length ? { ...v.meta, mentions: v.mentionedAgentIds } : (v.meta ?? null),
    });
    if (v.attachments?.length) await this.writer.insertAttachments(tx, agent.organizationId, messageId, v.attachments);
    await this.writer.touchOutbound(tx, v.conversationId, {
      snippet: snippetOf(v.body),
      channelKind: v.channel?.kind ?? null,
      isReply: isReply && !postal,
    });
    if (isReply && !postal)
      await this.queue.sendInTx(m, v.queue ?? QUEUES.outboundSend, { messageId, organizationId: agent.organizationId });
    await this.audit.record(
      {
        organizationId: agent.organizationId,
        agentId: agent.id,
        action: isReply ? 'conversation.replied' : 'conversation.noted',
        conversationId: v.conversationId,
        contactId: v.contactId,
        data: v.attachments?.length ? { ...v.audit, attachments: v.attachments.map((a) => a.fileName) } : v.audit,
      },
      m,
    );
    const org = agent.organizationId;
    const newConversation = !!v.newConversation;
    return this.writer.tell(tx, org, v.conversationId, messageId, ({ conversation, message }) => [
      domainEvent('message.sent', org, {
        conversation,
        message,
        newConversation,
        byAgentId: agent.id,
        ...(v.mentionedAgentIds?.length ? { mentionedAgentIds: v.mentionedAgentIds } : {}),
      }),
      ...(newConversation
        ? [
            domainEvent('conversation.created', org, { conversation, origin: 'agent' }),
            domainEvent('conversation.assigned', org, {
              conversation,
              previousAssigneeId: null,
              assigneeId: conversation.assigneeId,
              byAgentId: agent.id,
            }),
          ]
        : [
            domainEvent('conversation.updated', org, {
              conversation,
              change: 'message',
              ...(v.before ? { before: v.before } : {}),
            }),
          ]),
    ]);
  }

  /**
   * A message of the town hall itself to the citizen (no author: a notice, not an answer, so no
   * first response), queued for sending on `channel` with the file's activity; told as
   * `message.sent` (by `byAgentId` when an agent's action caused it).
   */
  async notice(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    v: { channel: { id: string; kind: ChannelKind }; body: string; meta: Record<string, unknown>; byAgentId?: string | null },
  ): Promise<string> {
    const messageId = await this.writer.insertMessage(tx, {
      organizationId,
      conversationId,
      direction: 'outbound',
      kind: 'message',
      channelId: v.channel.id,
      authorAgentId: null,
      body: v.body,
      status: 'queued',
      meta: v.meta,
    });
    await this.writer.touchOutbound(tx, conversationId, {
      snippet: snippetOf(v.body),
      channelKind: v.channel.kind,
      isReply: false,
    });
    if (!CHANNEL_CAPABILITIES[v.channel.kind].postal)
      await this.queue.sendInTx(tx.m, QUEUES.outboundSend, { messageId, organizationId });
    await this.writer.tell(tx, organizationId, conversationId, messageId, ({ conversation, message }) => [
      domainEvent('message.sent', organizationId, {
        conversation,
        message,
        newConversation: false,
        byAgentId: v.byAgentId ?? null,
      }),
    ]);
    return messageId;
  }
}
