import { Injectable } from '@nestjs/common';
import { LABELS_PER_CONVERSATION_MAX, type CreateLabelInput, type LabelDto, type UpdateLabelInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { LabelRepository } from './label.repository';

const duplicate = (name: string) =>
  new AppError('conflict', `une étiquette « ${name} » existe déjà`, ['name: déjà utilisé dans votre organisation']);

/**
 * Labels (étiquettes): every agent reads them and sets them on the files they may change (through
 * the conversation's update, which checks access and tells the change); admins and supervisors
 * define them. Routing rules add them too.
 */
@Injectable()
export class LabelService {
  constructor(
    private readonly db: Database,
    private readonly repo: LabelRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(agent: AuthAgent): Promise<LabelDto[]> {
    return this.repo.list(agent.organizationId);
  }

  create(agent: AuthAgent, input: CreateLabelInput): Promise<LabelDto> {
    return this.db.tx(async (m) => {
      const created = await this.repo.insert(m, agent.organizationId, input.name, input.color);
      if (!created) throw duplicate(input.name);
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'label.created', data: { ...created } },
        m,
      );
      return created;
    });
  }

  update(agent: AuthAgent, id: string, input: UpdateLabelInput): Promise<LabelDto> {
    return this.db.tx(async (m) => {
      const updated = await this.repo.update(m, agent.organizationId, id, input);
      if (updated === 'duplicate') throw duplicate(input.name!);
      if (!updated) throw notFound('étiquette');
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'label.updated', data: { id, ...input } },
        m,
      );
      return updated;
    });
  }

  /** Removed from the files that carried it too; the ids of those files. */
  remove(agent: AuthAgent, id: string): Promise<string[]> {
    return this.db.tx(async (m) => {
      const carriers = await this.repo.delete(m, agent.organizationId, id);
      if (!carriers) throw notFound('étiquette');
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'label.deleted',
          data: { id, files: carriers.length },
        },
        m,
      );
      return carriers;
    });
  }

  /** Checks that every id is a label of the organization (400 naming the field otherwise). */
  async check(m: EntityManager, organizationId: string, ids: string[], field = 'labelIds'): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (unique.length > LABELS_PER_CONVERSATION_MAX)
      throw badRequest(`au plus ${LABELS_PER_CONVERSATION_MAX} étiquettes par conversation`, [`${field}: trop d’étiquettes`]);
    const found = new Set(await this.repo.existing(m, organizationId, unique));
    const unknown = unique.filter((id) => !found.has(id));
    if (unknown.length)
      throw badRequest(
        'étiquette inconnue',
        unknown.map((id) => `${field}: ${id} inconnue`),
      );
    return unique;
  }

  /** Those of `ids` that are labels of the organization, in their order (a rule's labels, some perhaps removed since). */
  async known(m: EntityManager | undefined, organizationId: string, ids: string[]): Promise<string[]> {
    const found = new Set(await this.repo.existing(m, organizationId, [...new Set(ids)]));
    return [...new Set(ids)].filter((id) => found.has(id));
  }

  /**
   * Makes the conversation carry exactly `ids` (checked) in the caller's transaction; whether
   * anything changed.
   */
  async set(m: EntityManager, organizationId: string, conversationId: string, ids: string[]): Promise<boolean> {
    const wanted = new Set(await this.check(m, organizationId, ids));
    const current = new Set(await this.repo.ofConversation(m, conversationId));
    const add = [...wanted].filter((id) => !current.has(id));
    const remove = [...current].filter((id) => !wanted.has(id));
    await this.repo.add(m, conversationId, add);
    await this.repo.remove(m, conversationId, remove);
    return add.length + remove.length > 0;
  }

  /** Adds labels of the organization (unknown ids are left out: a rule's label deleted since); whether any was new. */
  async add(m: EntityManager, organizationId: string, conversationId: string, ids: string[]): Promise<boolean> {
    const known = await this.repo.existing(m, organizationId, ids);
    const current = new Set(await this.repo.ofConversation(m, conversationId));
    const add = known.filter((id) => !current.has(id));
    if (current.size + add.length > LABELS_PER_CONVERSATION_MAX)
      add.length = Math.max(0, LABELS_PER_CONVERSATION_MAX - current.size);
    await this.repo.add(m, conversationId, add);
    return add.length > 0;
  }
}
