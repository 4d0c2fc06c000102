import { Injectable } from '@nestjs/common';
import { normalizeIdentity, type AddIdentityInput, type ContactDto, type IdentityDto } from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database.service';
import { AppError, notFound } from '../../common/errors';
import { AuditRepository } from '../audit/audit.repository';
import { canRead } from '../conversations/conversation.service';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationRepository } from '../conversations/conversation.repository';
import { ContactRepository } from './contact.repository';

@Injectable()
export class ContactService {
  constructor(
    private readonly db: Database,
    private readonly contacts: ContactRepository,
    private readonly conversations: ConversationRepository,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * A citizen's file is readable by managers, and by agents who can read at least one of the
   * citizen's conversations. The listed conversations are those the agent may read.
   */
  async get(agent: AuthAgent, id: string): Promise<ContactDto> {
    const contact = await this.contacts.find(agent.organizationId, id);
    if (!contact) throw notFound('citoyen');
    const conversations = (await this.conversations.forContact(agent.organizationId, id)).filter((c) => canRead(agent, c));
    if (!isManager(agent) && conversations.length === 0) throw notFound('citoyen');
    await this.audit.record({ organizationId: agent.organizationId, agentId: agent.id, action: 'contact.viewed', contactId: id });
    return {
      id: contact.id,
      name: contact.name,
      identities: await this.contacts.identities(id),
      conversations: conversations.map(toConversationDto),
      createdAt: contact.created_at.toISOString(),
    };
  }

  async addIdentity(agent: AuthAgent, id: string, input: AddIdentityInput): Promise<IdentityDto[]> {
    await this.get(agent, id);
    const value = normalizeIdentity(input.kind, input.value);
    await this.db.tx(async (m) => {
      await this.contacts.lockIdentity(m, agent.organizationId, input.kind, value);
      const holder = await this.contacts.addIdentity(m, agent.organizationId, id, input.kind, value);
      if (holder !== id) throw new AppError('conflict', 'cette identité appartient déjà à un autre citoyen');
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'contact.identity_added', contactId: id, data: { kind: input.kind } },
        m,
      );
    });
    return this.contacts.identities(id);
  }

  async removeIdentity(agent: AuthAgent, id: string, identityId: string): Promise<IdentityDto[]> {
    await this.get(agent, id);
    if (!(await this.contacts.removeIdentity(agent.organizationId, id, identityId))) throw notFound('identité');
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'contact.identity_removed',
      contactId: id,
      data: { identityId },
    });
    return this.contacts.identities(id);
  }
}
