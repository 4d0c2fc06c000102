import { Injectable } from '@nestjs/common';
import type {
  CreateRequestTypeInput,
  ListRequestTypesQuery,
  PublicRequestTypeDto,
  RequestTypeDto,
  UpdateRequestTypeInput,
} from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AgentDirectory } from '../agents/agent-directory.service';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { DueDatesRecompute } from './due-dates-recompute.service';
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
    private readonly writer: ConversationWriter,
    private readonly recompute: DueDatesRecompute,
  ) {}

  /** The types in use of each service, as the citizen's form shows them (no agent: public). */
  publicByTeam(organizationId: string): Promise<Map<string, PublicRequestTypeDto[]>> {
    return this.repo.publicByTeam(organizationId);
  }

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
    return this.writer.tx(async (tx) => {
      const m = tx.m;
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
        for (const conversationId of await this.repo.inProgressOfType(m, id))
          await this.recompute.recomputeIn(tx, agent.organizationId, conversationId, id);
      }
      return updated;
    });
  }
}
