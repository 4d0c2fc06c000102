import { Injectable } from '@nestjs/common';
import {
  normalizeIdentity,
  type AddIdentityInput,
  type ContactDto,
  type IdentityDto,
  type IdentityKind,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AppError, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { canRead } from '../conversations/conversation-access';
import { toConversationDto } from '../conversations/conversation.mapper';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { ContactRepository } from './contact.repository';

@Injectable()
export class ContactService {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly conversations: ConversationReader,
    private readonly writer: ConversationWriter,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * The contact holding an identity, created with it when new, in the caller's transaction
   * (published to the features that write conversations: see ContactRepository.resolve).
   */
  resolve(...args: Parameters<ContactRepository['resolve']>): Promise<string> {
    return this.contacts.resolve(...args);
  }

  /**
   * The citizen of a letter an agent registered, from the details they typed off the paper, in the
   * caller's transaction. Typed details prove nothing (ARCHITECTURE.md, "Threading"): no identity is
   * ever added to an existing citizen. The letter joins one citizen (`joined`) only when the details
   * match that citizen exactly and point to nobody else:
   * - e-mail or phone typed: every one of them is that citizen's (one typed that nobody holds is a
   *   difference), and no earlier letter from the same name and address (`sameSender`) is another's;
   * - none typed: the earlier letters from the same name and address are all that citizen's.
   * Otherwise a new citizen holding the typed identities nobody held; `related`: the citizens the
   * details point to (the file is flagged possibly related to one).
   */
  async letterCitizen(
    m: EntityManager,
    organizationId: string,
    name: string,
    identities: { kind: IdentityKind; value: string }[],
    sameSender: string[],
  ): Promise<{
    contactId: string;
    joined: boolean;
    held: { kind: IdentityKind; value: string }[];
    related: string[];
  }> {
    const typed = [...identities].sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`));
    const holders: string[] = [];
    const unheld: { kind: IdentityKind; value: string }[] = [];
    // In a fixed order, so that two registrations lock the same identities in the same order.
    for (const i of typed) {
      await this.contacts.lockIdentity(m, organizationId, i.kind, i.value);
      const holder = await this.contacts.contactIdByIdentity(m, organizationId, i.kind, i.value);
      if (holder) holders.push(holder);
      else unheld.push(i);
    }
    const pointed = [...new Set([...holders, ...sameSender])];
    const exact = typed.length ? unheld.length === 0 && pointed.length === 1 : pointed.length === 1;
    if (exact) return { contactId: pointed[0]!, joined: true, held: typed, related: [] };
    const contactId = await this.contacts.createNamed(m, organizationId, name.trim().slice(0, 200) || null);
    for (const i of unheld) await this.contacts.addIdentity(m, organizationId, contactId, i.kind, i.value);
    return { contactId, joined: false, held: unheld, related: pointed };
  }

  /**
   * A citizen's file as this agent may see it, its viewing audited. Managers see all of it. Other
   * agents see it when they can read at least one of the citizen's conversations, and then only
   * what those conversations hold (issue 10, item 3): the name given in them, the identities seen
   * in them, and those conversations; nothing of the citizen's files in services they cannot access.
   */
  private async view(agent: AuthAgent, id: string) {
    const contact = await this.contacts.find(agent.organizationId, id);
    if (!contact) throw notFound('citoyen');
    const conversations = (await this.conversations.forContact(agent.organizationId, id)).filter((c) => canRead(agent, c));
    if (!isManager(agent) && conversations.length === 0) throw notFound('citoyen');
    await this.audit.record({ organizationId: agent.organizationId, agentId: agent.id, action: 'contact.viewed', contactId: id });
    return { contact, conversations, conversationIds: conversations.map((c) => c.id) };
  }

  private identities(agent: AuthAgent, id: string, conversationIds: string[]): Promise<IdentityDto[]> {
    return isManager(agent) ? this.contacts.identities(id) : this.contacts.identitiesHeldBy(id, conversationIds);
  }

  async get(agent: AuthAgent, id: string): Promise<ContactDto> {
    const { contact, conversations, conversationIds } = await this.view(agent, id);
    const all = isManager(agent);
    return {
      id: contact.id,
      // Conversations come newest first: the latest name given in one this agent may read.
      name: all ? contact.name : (conversations.find((c) => c.contact_name)?.contact_name ?? null),
      identities: await this.identities(agent, id, conversationIds),
      conversations: conversations.map(toConversationDto),
      // Not when the town first knew this citizen: since when this agent's services do.
      createdAt: (all ? contact.created_at : conversations[conversations.length - 1]!.created_at).toISOString(),
    };
  }

  /**
   * An agent's explicit, audited action. The identity is held from then on by the conversations
   * of this citizen the agent may read: they see what they typed, other services do not.
   */
  async addIdentity(agent: AuthAgent, id: string, input: AddIdentityInput): Promise<IdentityDto[]> {
    const { conversationIds } = await this.view(agent, id);
    const value = normalizeIdentity(input.kind, input.value);
    await this.writer.tx(async ({ m, afterCommit }) => {
      await this.contacts.lockIdentity(m, agent.organizationId, input.kind, value);
      const holder = await this.contacts.addIdentity(m, agent.organizationId, id, input.kind, value);
      if (holder.contactId !== id) throw new AppError('conflict', 'cette identité appartient déjà à un autre citoyen');
      await this.writer.holdIdentity({ m, afterCommit }, conversationIds, holder.identityId);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'contact.identity_added',
          contactId: id,
          data: { kind: input.kind },
        },
        m,
      );
    });
    return this.identities(agent, id, conversationIds);
  }

  async removeIdentity(agent: AuthAgent, id: string, identityId: string): Promise<IdentityDto[]> {
    const { conversationIds } = await this.view(agent, id);
    // Only an identity this agent sees: another service's is not there for them.
    if (!(await this.identities(agent, id, conversationIds)).some((i) => i.id === identityId)) throw notFound('identité');
    if (!(await this.contacts.removeIdentity(agent.organizationId, id, identityId))) throw notFound('identité');
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'contact.identity_removed',
      contactId: id,
      data: { identityId },
    });
    return this.identities(agent, id, conversationIds);
  }
}
