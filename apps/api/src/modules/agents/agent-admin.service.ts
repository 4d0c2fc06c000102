import { Injectable } from '@nestjs/common';
import { countedOf, type AgentAdminDto, type UpdateAgentInput } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { badRequest, forbidden, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AuthService } from '../auth/auth.service';
import { domainEvent } from '../events/domain-events';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { DirectoryRepository } from './directory.repository';

const audited = (a: AgentAdminDto) => ({ role: a.role, teamIds: a.teamIds, capacity: a.capacity, active: a.active });

/** Admins manage the agents of their organization; access follows at once, sockets included. */
@Injectable()
export class AgentAdminService {
  constructor(
    private readonly db: Database,
    private readonly directory: DirectoryRepository,
    private readonly audit: AuditRepository,
    private readonly auth: AuthService,
    private readonly publisher: RealtimePublisher,
    private readonly writer: ConversationWriter,
  ) {}

  /**
   * Deactivation ends the agent's sessions (REST 401, sockets closed) and gives their conversations
   * in progress back to their service; a new role or new services move their sockets' rooms.
   */
  async update(admin: AuthAgent, id: string, input: UpdateAgentInput): Promise<AgentAdminDto> {
    const organizationId = admin.organizationId;
    // An admin never deactivates their own account (their sessions would end mid-request, and a
    // slip of the hand locks them out): another admin does it, as the agents screen offers.
    if (id === admin.id && input.active === false)
      throw forbidden('vous ne pouvez pas désactiver votre propre compte : un autre administrateur doit le faire');
    return this.db.tx(async (m, afterCommit) => {
      // The town always keeps an active administrator: its admins' rows are locked first (before the
      // agent's own), so two admins stepping down at the same moment wait in turn, without deadlock.
      const mayRemoveAdmin = (input.role !== undefined && input.role !== 'admin') || input.active === false;
      const admins = mayRemoveAdmin ? await this.directory.lockActiveAdmins(m, organizationId) : [];
      const before = await this.directory.managedAgent(m, organizationId, id);
      if (!before) throw notFound('agent');
      if (mayRemoveAdmin && before.role === 'admin' && before.active && !admins.some((a) => a !== id)) {
        throw badRequest(
          id === admin.id
            ? 'vous êtes le dernier administrateur actif : nommez-en un autre avant de quitter ce rôle'
            : 'cet agent est le dernier administrateur actif : nommez-en un autre d’abord',
        );
      }
      await this.directory.updateAgent(m, id, { role: input.role, capacity: input.capacity, active: input.active });
      if (input.teamIds && !(await this.directory.setAgentTeams(m, organizationId, id, [...new Set(input.teamIds)]))) {
        throw badRequest('service inconnu', ['teamIds: un des services n’existe pas dans votre organisation']);
      }
      const after = (await this.directory.managedAgent(m, organizationId, id))!;
      if (before.active && !after.active) {
        await this.auth.endSessions(m, afterCommit, id);
        for (const c of await this.writer.releaseAssigned({ m, afterCommit }, id)) {
          await this.writer.tellConversation({ m, afterCommit }, organizationId, c.id, (conversation) => [
            // Only its assignee changed (releaseAssigned): the counters' state before, so screens move it at once.
            domainEvent('conversation.updated', organizationId, {
              conversation,
              change: 'assignee_deactivated',
              before: { ...countedOf(conversation), assigneeId: id, version: conversation.version - 1 },
            }),
            domainEvent('conversation.assigned', organizationId, {
              conversation,
              previousAssigneeId: id,
              assigneeId: null,
              byAgentId: admin.id,
            }),
          ]);
          await this.audit.record(
            {
              organizationId,
              agentId: admin.id,
              action: 'conversation.updated',
              conversationId: c.id,
              contactId: c.contact_id,
              data: { assigneeId: null, reason: 'agent_deactivated' },
            },
            m,
          );
        }
      }
      await this.audit.record(
        {
          organizationId,
          agentId: admin.id,
          action: 'agent.updated',
          data: { agentId: id, before: audited(before), after: audited(after) },
        },
        m,
      );
      const accessChanged = after.role !== before.role || after.teamIds.join() !== before.teamIds.join();
      afterCommit(async () => {
        if (after.active && accessChanged) await this.publisher.agentAccessChanged(organizationId, id);
      });
      return after;
    });
  }
}
