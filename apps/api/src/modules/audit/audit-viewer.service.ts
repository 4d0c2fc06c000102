import { Injectable } from '@nestjs/common';
import type { AuditPageDto, AuditQuery } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { badRequest, forbidden } from '../../common/errors';
import { AuditViewerRepository } from './audit-viewer.repository';

/** Who did what to whose file: supervisors browse their services' part, admins all of it. */
@Injectable()
export class AuditViewerService {
  constructor(private readonly repo: AuditViewerRepository) {}

  async page(agent: AuthAgent, q: AuditQuery): Promise<AuditPageDto> {
    if (agent.role !== 'admin' && agent.role !== 'supervisor') throw forbidden();
    if (q.from && q.to && q.from >= q.to) throw badRequest('période invalide', ['to: doit suivre from']);
    // A supervisor attached to no service oversees the whole organization (as for conversations).
    const scope = agent.role === 'supervisor' && agent.teamIds.length ? agent.teamIds : null;
    const items = await this.repo.page(agent.organizationId, q, scope);
    return { items, next: items.length === q.limit ? items[items.length - 1]!.id : null };
  }
}
