import { Injectable } from '@nestjs/common';
import type { AuditEventDto, AuditFilter, AuditPageDto, AuditQuery } from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { badRequest, forbidden } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AuditViewerRepository } from './audit-viewer.repository';

/** Events per read of a CSV export: each is one keyset query, written out before the next. */
export const AUDIT_EXPORT_PAGE = 1000;

/** Who did what to whose file: supervisors browse their services' part, admins all of it. */
@Injectable()
export class AuditViewerService {
  constructor(
    private readonly repo: AuditViewerRepository,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * The part of the log this agent may read. A supervisor attached to no service oversees the
   * whole organization (as for conversations); one attached to some may filter on those only.
   */
  private scope(agent: AuthAgent, q: AuditFilter): string[] | null {
    if (agent.role !== 'admin' && agent.role !== 'supervisor') throw forbidden();
    if (q.from && q.to && q.from >= q.to) throw badRequest('période invalide', ['to: doit suivre from']);
    const scope = agent.role === 'supervisor' && agent.teamIds.length ? agent.teamIds : null;
    if (q.teamId && scope && !scope.includes(q.teamId))
      throw forbidden('ce service n’est pas de ceux que vous supervisez : son journal ne vous est pas ouvert');
    return scope;
  }

  async page(agent: AuthAgent, q: AuditQuery): Promise<AuditPageDto> {
    const items = await this.repo.page(agent.organizationId, q, this.scope(agent, q));
    return { items, next: items.length === q.limit ? items[items.length - 1]!.id : null };
  }

  /**
   * Every event the filters keep, newest first, page after page by keyset (for the CSV export):
   * the access check and the export's own audit row come before the first page.
   * Stops when the caller stops reading (the client went away).
   */
  async *export(agent: AuthAgent, q: AuditFilter): AsyncGenerator<AuditEventDto[]> {
    const scope = this.scope(agent, q);
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'audit.exported',
      contactId: q.contactId ?? null,
      conversationId: q.conversationId ?? null,
      data: {
        filters: {
          contactId: q.contactId ?? null,
          agentId: q.agentId ?? null,
          teamId: q.teamId ?? null,
          conversationId: q.conversationId ?? null,
          from: q.from?.toISOString() ?? null,
          to: q.to?.toISOString() ?? null,
        },
      },
    });
    let before: string | undefined;
    for (;;) {
      const items = await this.repo.page(agent.organizationId, { ...q, before, limit: AUDIT_EXPORT_PAGE }, scope);
      if (items.length) yield items;
      if (items.length < AUDIT_EXPORT_PAGE) return;
      before = items[items.length - 1]!.id;
    }
  }
}
