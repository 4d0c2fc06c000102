import { Injectable } from '@nestjs/common';
import type { CreateRequestTypeInput, ListRequestTypesQuery, RequestTypeDto, UpdateRequestTypeInput } from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AgentDirectory } from '../agents/agent-directory.service';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { ConversationRepository } from '../conversations/conversation.repository';
import { toConversationDto } from '../conversations/conversation.mapper';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent } from '../events/domain-events';
import { DeadlineService } from './deadline.service';
import { RequestTypeRepository } from './request-type.repository';

const duplicate = (name: string) =>
  new AppError('conflict', `ce service a déjà une démarche « ${name} »`, [`name: déjà utilisé dans ce service`]);

/** Request types (démarches): any agent reads them; admins and supervisors define them. */
@Injectable()
export class RequestTypeService {
  constructor(
    private readonly db: Database,
    private readonly repo: RequestTypeRepository,
    private readonly directory: AgentDirectory,
    private readonly audit: AuditRepository,
    private readonly conversations: ConversationRepository,
    private readonly deadlines: DeadlineService,
    private readonly events: DomainEvents,
  ) {}

  list(agent: AuthAgent, q: ListRequestTypesQuery): Promise<RequestTypeDto[]> {
    return this.repo.list(agent.organizationId, { teamId: q.teamId, includeInactive: q.includeInactive && isManager(agent) });
  }

  async create(agent: AuthAgent, input: CreateRequestTypeInput): Promise<RequestTypeDto> {
    return this.db.tx(async (m) => {
      if (!(await this.directory.team(agent.organizationId, input.teamId, m)))
        throw badRequest('service inconnu', [`teamId: ${input.teamId}`]);
      const created = await this.repo.insert(m, agent.organizationId, input);
      if (!created) throw duplicate(input.name);
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'request_type.created', data: { id: created.id } },
        m,
      );
      return created;
    });
  }

  /**
   * A change of a type's regime or deadline moves the due dates of its files in progress (each
   * told as `conversation.updated`); closed files keep the dates they were handled under.
   */
  async update(agent: AuthAgent, id: string, input: UpdateRequestTypeInput): Promise<RequestTypeDto> {
    return this.db.tx(async (m, afterCommit) => {
      const before = await this.repo.find(agent.organizationId, id, m);
      if (!before) throw notFound('démarche');
      const regime = input.decisionRegime ?? before.decisionRegime;
      const deadline = input.deadline !== undefined ? input.deadline : before.deadline;
      if (regime !== 'none' && !deadline)
        throw badRequest('une décision implicite (acceptation ou rejet) demande un délai', ['deadline: obligatoire']);
      const updated = await this.repo.update(m, agent.organizationId, id, input);
      if (updated === 'duplicate') throw duplicate(input.name ?? before.name);
      if (!updated) throw notFound('démarche');
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'request_type.updated', data: { id, ...input } },
        m,
      );
      if (input.decisionRegime !== undefined || input.deadline !== undefined) {
        for (const conversationId of await this.repo.inProgressOfType(m, id)) {
          const changes = await this.deadlines.changes(m, agent.organizationId, conversationId, id, {});
          await this.conversations.update(m, conversationId, changes, true);
          const conversation = toConversationDto((await this.conversations.findById(agent.organizationId, conversationId, m))!);
          await this.events.record(
            m,
            afterCommit,
            domainEvent('conversation.updated', agent.organizationId, { conversation, change: 'deadlines' }),
          );
        }
      }
      return updated;
    });
  }
}
