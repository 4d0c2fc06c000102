import { Injectable } from '@nestjs/common';
import type { CreateAdministrationInput, ExternalAdministrationDto, UpdateAdministrationInput } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import type { AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AdministrationRepository } from './administration.repository';

const duplicate = (name: string) =>
  new AppError('conflict', `l’annuaire a déjà une administration « ${name} »`, ['name: déjà dans l’annuaire de la commune']);

/**
 * The directory of external administrations (CRPA L114-2): every agent reads it (the transfer
 * form's picker); admins keep it, each change audited with what it was and what it became.
 */
@Injectable()
export class AdministrationService {
  constructor(
    private readonly db: Database,
    private readonly repo: AdministrationRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(agent: AuthAgent): Promise<ExternalAdministrationDto[]> {
    return this.repo.list(agent.organizationId);
  }

  /** One entry of the town's directory (the transfer's), in the caller's transaction; null if not the town's. */
  find(m: EntityManager, organizationId: string, id: string): Promise<ExternalAdministrationDto | null> {
    return this.repo.find(m, organizationId, id);
  }

  create(agent: AuthAgent, input: CreateAdministrationInput): Promise<ExternalAdministrationDto> {
    return this.db.tx(async (m) => {
      const created = await this.repo.insert(m, agent.organizationId, input);
      if (!created) throw duplicate(input.name);
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'administration.created', data: { ...created } },
        m,
      );
      return created;
    });
  }

  update(agent: AuthAgent, id: string, input: UpdateAdministrationInput): Promise<ExternalAdministrationDto> {
    return this.db.tx(async (m) => {
      const changed = await this.repo.update(m, agent.organizationId, id, input);
      if (changed === 'duplicate') throw duplicate(input.name!);
      if (!changed) throw notFound('administration');
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'administration.updated',
          data: { id, before: changed.before, after: changed.after },
        },
        m,
      );
      return changed.after;
    });
  }

  remove(agent: AuthAgent, id: string): Promise<void> {
    return this.db.tx(async (m) => {
      const deleted = await this.repo.delete(m, agent.organizationId, id);
      if (!deleted) throw notFound('administration');
      await this.audit.record(
        { organizationId: agent.organizationId, agentId: agent.id, action: 'administration.deleted', data: { ...deleted } },
        m,
      );
    });
  }
}
