import { Injectable } from '@nestjs/common';
import { GraphClient, windowDuration, type MetaKind } from '@guichet/channels';
import { CHANNEL_CAPABILITIES, type MessageDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound, staleVersion } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { ChannelService } from '../channels/channel.service';
import { toConversationDto, type ConversationRow } from '../conversations/conversation.mapper';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { canRead } from '../conversations/conversation.service';
import { AgentMessages } from '../outbound/agent-messages.service';
import { domainEvent } from '../events/domain-events';
import type { CommentAnswerInput, CommentContextDto, HideCommentInput } from './meta-comment.dto';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { META_QUEUES } from './meta-queue';
import { MetaRepository, type CommentRef } from './meta.repository';

/** Meta's window for the one private reply to a comment, as CHANNEL_CAPABILITIES declares it. */
const privateReplyWindowHours = (kind: MetaKind): number => CHANNEL_CAPABILITIES[kind].comments.privateReplyWindowHours;

/** Agents' actions on page comments: public reply, private reply, hide. */
@Injectable()
export class MetaCommentService {
  constructor(
    private readonly db: Database,
    private readonly conversations: ConversationReader,
    private readonly channels: ChannelService,
    private readonly audit: AuditRepository,
    private readonly writer: ConversationWriter,
    private readonly repo: MetaRepository,
    private readonly agentMessages: AgentMessages,
  ) {}

  private async readable(agent: AuthAgent, id: string, m?: EntityManager, lock = false): Promise<ConversationRow> {
    const row = await this.conversations.row(agent.organizationId, id, m, lock);
    if (!row || !canRead(agent, row)) throw notFound('conversation');
    return row;
  }

  private async comment(conversationId: string, commentId: string | undefined, m?: EntityManager): Promise<CommentRef> {
    const comment = await this.repo.comment(conversationId, commentId, m);
    if (!comment) {
      throw badRequest(
        commentId
          ? 'ce commentaire n’appartient pas à cette conversation'
          : 'cette conversation ne contient aucun commentaire Facebook ou Instagram',
      );
    }
    return comment;
  }

  private privateReplyOpen(comment: CommentRef, now = Date.now()): boolean {
    return now - comment.created_at.getTime() <= privateReplyWindowHours(comment.channel_kind) * 3_600_000;
  }

  async context(agent: AuthAgent, id: string, commentId?: string): Promise<CommentContextDto> {
    await this.readable(agent, id);
    const comment = await this.comment(id, commentId);
    const meta = comment.meta;
    const used = await this.db.tx((m) => this.repo.privateReplyExists(m, id, comment.external_id));
    return {
      commentId: comment.external_id,
      postId: typeof meta.postId === 'string' ? meta.postId : null,
      postText: typeof meta.postText === 'string' ? meta.postText : null,
      permalink: typeof meta.permalink === 'string' ? meta.permalink : null,
      hidden: meta.hidden === true,
      privateReplyAvailable: !used && this.privateReplyOpen(comment),
    };
  }

  /** Queues a public comment reply or a private reply; the job calls the Graph API. */
  async answer(
    agent: AuthAgent,
    id: string,
    input: CommentAnswerInput,
    mode: 'comment-reply' | 'private-reply',
  ): Promise<MessageDto> {
    return this.db.tx(async (m, afterCommit) => {
      const row = await this.readable(agent, id, m, true);
      if (row.version !== input.version) throw staleVersion(toConversationDto(row));
      const comment = await this.comment(id, input.commentId, m);
      const channel = await this.channels.find(agent.organizationId, comment.channel_id, m);
      if (!channel || !channel.enabled) throw badRequest('canal de la page inconnu ou désactivé');
      if (mode === 'private-reply') {
        if (!this.privateReplyOpen(comment))
          throw badRequest(
            `réponse privée impossible : Meta ne l’autorise que dans les ${windowDuration(privateReplyWindowHours(comment.channel_kind))} suivant le commentaire`,
          );
        if (await this.repo.privateReplyExists(m, id, comment.external_id)) {
          throw badRequest('une réponse privée a déjà été envoyée pour ce commentaire : Meta n’en autorise qu’une');
        }
      }
      const { message } = await this.agentMessages.record(m, afterCommit, agent, {
        conversationId: id,
        contactId: row.contact_id,
        kind: 'reply',
        channel: { id: channel.id, kind: channel.kind },
        body: input.body,
        meta: { provider: 'meta', source: mode, commentId: comment.external_id },
        queue: META_QUEUES.commentSend,
        audit: { via: mode, commentId: comment.external_id },
      });
      return message;
    });
  }

  /** Hides (or shows again) a comment on the page, at once; recorded as an event in the file. */
  async hide(agent: AuthAgent, id: string, input: HideCommentInput): Promise<CommentContextDto> {
    const row = await this.readable(agent, id);
    const comment = await this.comment(id, input.commentId);
    const channel = await this.channels.resolve(agent.organizationId, comment.channel_id);
    if (!channel || !channel.enabled) throw badRequest('canal de la page inconnu ou désactivé');
    const kind = channel.kind as MetaKind;
    const r = await GraphClient.from(channel.config).post<{ success?: boolean }>(
      comment.external_id,
      kind === 'instagram' ? { hide: input.hidden } : { is_hidden: input.hidden },
    );
    if (!r.ok) throw new AppError('unprocessable', `Meta a refusé l’action : ${r.reason}`);
    const body = `${input.hidden ? 'Commentaire masqué' : 'Commentaire de nouveau visible'} sur la page par ${agent.name}`;
    await this.writer.tx(async (tx) => {
      const { m } = tx;
      await this.writer.mergeMessageMeta(tx, comment.id, {
        hidden: input.hidden,
        hiddenChangedAt: new Date().toISOString(),
        hiddenBy: agent.id,
      });
      const eventId = await this.writer.insertMessage(tx, {
        organizationId: agent.organizationId,
        conversationId: id,
        direction: 'outbound',
        kind: 'event',
        channelId: channel.id,
        authorAgentId: agent.id,
        body,
        status: 'sent',
        meta: { provider: 'meta', source: 'hide-comment', commentId: comment.external_id, hidden: input.hidden },
      });
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.updated',
          conversationId: id,
          contactId: row.contact_id,
          data: { metaAction: input.hidden ? 'hide-comment' : 'unhide-comment', commentId: comment.external_id },
        },
        m,
      );
      await this.writer.tell(tx, agent.organizationId, id, eventId, ({ conversation, message }) => [
        domainEvent('message.sent', agent.organizationId, { conversation, message, newConversation: false, byAgentId: agent.id }),
      ]);
    });
    return this.context(agent, id, comment.external_id);
  }
}
