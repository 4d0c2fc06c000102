import { Inject, Injectable } from '@nestjs/common';
import {
  CANNED_REPLIES_MAX,
  frenchLongDateOf,
  renderTemplate,
  type CannedReplyDto,
  type CannedVariable,
  type CreateCannedReplyInput,
  type ListCannedRepliesQuery,
  type UpdateCannedReplyInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AuditRepository, type AuditAction } from '../../infra/audit/audit.repository';
import { ConversationService } from '../conversations/conversation.service';
import { trackingToken } from '../public/tracking-token';
import { CannedReplyRepository } from './canned-reply.repository';

/** `%` and `_` typed by the agent are looked for as such. */
const likeEscaped = (q: string) => q.replace(/[\\%_]/g, '\\$&');

/**
 * Canned replies (réponses types, issue 13): any agent searches those of a service and the
 * organization's from the composer and gets one filled for the conversation; admins and
 * supervisors write them.
 */
@Injectable()
export class CannedReplyService {
  constructor(
    private readonly db: Database,
    private readonly repo: CannedReplyRepository,
    private readonly audit: AuditRepository,
    private readonly conversations: ConversationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Managers see every reply (without `teamId`); an agent those of the organization and of their services. */
  list(agent: AuthAgent, q: ListCannedRepliesQuery): Promise<CannedReplyDto[]> {
    const teamIds = q.teamId ? [q.teamId] : isManager(agent) ? undefined : agent.teamIds;
    return this.repo.list(agent.organizationId, { teamIds, q: q.q ? likeEscaped(q.q) : undefined });
  }

  create(agent: AuthAgent, input: CreateCannedReplyInput): Promise<CannedReplyDto> {
    return this.db.tx(async (m) => {
      await this.checkTeam(m, agent, input.teamId);
      if ((await this.repo.count(m, agent.organizationId)) >= CANNED_REPLIES_MAX)
        throw new AppError('conflict', `au plus ${CANNED_REPLIES_MAX} réponses types par organisation`);
      const created = await this.repo.insert(m, agent.organizationId, input);
      await this.record(m, agent, 'canned_reply.created', { id: created.id, teamId: created.teamId, title: created.title });
      return created;
    });
  }

  update(agent: AuthAgent, id: string, input: UpdateCannedReplyInput): Promise<CannedReplyDto> {
    return this.db.tx(async (m) => {
      if (input.teamId !== undefined) await this.checkTeam(m, agent, input.teamId);
      const updated = await this.repo.update(m, agent.organizationId, id, input);
      if (!updated) throw notFound('réponse type');
      await this.record(m, agent, 'canned_reply.updated', { id, teamId: updated.teamId, title: updated.title });
      return updated;
    });
  }

  remove(agent: AuthAgent, id: string): Promise<void> {
    return this.db.tx(async (m) => {
      if (!(await this.repo.delete(m, agent.organizationId, id))) throw notFound('réponse type');
      await this.record(m, agent, 'canned_reply.deleted', { id });
    });
  }

  /** The reply's text filled for a conversation the agent may read (404 otherwise); a variable without value leaves its line out. */
  async render(agent: AuthAgent, id: string, conversationId: string): Promise<{ text: string }> {
    const reply = await this.repo.get(agent.organizationId, id);
    if (!reply) throw notFound('réponse type');
    const c = await this.conversations.get(agent, conversationId);
    if (reply.teamId && reply.teamId !== c.teamId) throw badRequest('cette réponse type est celle d’un autre service');
    const values: Record<CannedVariable, string> = {
      usager: c.contact.name ?? '',
      reference: c.reference,
      demarche: c.requestType?.name ?? '',
      date_decision: c.decisionDueAt ? frenchLongDateOf(new Date(c.decisionDueAt)) : '',
      date_reponse: c.responseDueAt ? frenchLongDateOf(new Date(c.responseDueAt)) : '',
      lien_suivi: `${this.config.publicUrl}/suivi/${c.reference}?token=${trackingToken(this.config.appSecret, c.id)}`,
      agent: agent.name,
      service: await this.repo.teamName(agent.organizationId, c.teamId),
    };
    return { text: renderTemplate(reply.body, values) };
  }

  private async checkTeam(m: EntityManager, agent: AuthAgent, teamId: string | null): Promise<void> {
    if (teamId && !(await this.repo.teamExists(m, agent.organizationId, teamId)))
      throw badRequest('service inconnu', ['teamId: pas un service de votre organisation']);
  }

  private record(m: EntityManager, agent: AuthAgent, action: AuditAction, data: Record<string, unknown>): Promise<unknown> {
    return this.audit.record({ organizationId: agent.organizationId, agentId: agent.id, action, data }, m);
  }
}
