import { Injectable } from '@nestjs/common';
import type { RequestTypeDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { badRequest } from '../../common/errors';
import type { ConversationChanges } from '../conversations/conversation-writer.service';
import { computeDueDates } from './due-dates';
import { RequestTypeRepository } from './request-type.repository';

/** A conversation's request type and due dates, inside the caller's transaction. */
@Injectable()
export class DeadlineService {
  constructor(private readonly types: RequestTypeRepository) {}

  /**
   * The type an agent or a citizen picks: of this organization and of the conversation's service
   * (null: of any service), in use.
   */
  async usableType(
    m: EntityManager | undefined,
    organizationId: string,
    teamId: string | null,
    typeId: string,
    field = 'requestTypeId',
  ): Promise<RequestTypeDto> {
    const type = await this.types.find(organizationId, typeId, m);
    if (!type || !type.active) throw badRequest('démarche inconnue', [`${field}: démarche inconnue ou retirée`]);
    if (teamId !== null && type.teamId !== teamId)
      throw badRequest("cette démarche n'est pas traitée par ce service", [`${field}: autre service`]);
    return type;
  }

  /**
   * Why a démarche cannot be set on a request of service `teamId` (null: any service), or null
   * when it can: `unavailable` (not the organization's, or withdrawn), `otherService`. What a
   * routing rule's démarche is checked with when it is applied, and in a dry run.
   */
  async typeProblem(
    m: EntityManager | undefined,
    organizationId: string,
    teamId: string | null,
    typeId: string,
  ): Promise<'unavailable' | 'otherService' | null> {
    const type = await this.types.find(organizationId, typeId, m);
    if (!type || !type.active) return 'unavailable';
    return teamId !== null && type.teamId !== teamId ? 'otherService' : null;
  }

  /**
   * The row changes that set a conversation's type (`typeId`: null removes it, undefined keeps
   * `currentTypeId`) or its L114-5 dates, with its due dates recomputed; the caller writes them
   * with its own changes, in one update, and emits the event.
   */
  async changes(
    m: EntityManager,
    organizationId: string,
    conversationId: string,
    currentTypeId: string | null,
    change: { typeId?: string | null; documentsRequestedAt?: Date | null; documentsReceivedAt?: Date | null },
  ): Promise<ConversationChanges> {
    const typeId = change.typeId !== undefined ? change.typeId : currentTypeId;
    const type = typeId ? await this.types.find(organizationId, typeId, m) : null;
    const inputs = await this.types.dueInputs(m, conversationId);
    if (!inputs) return {};
    if (change.documentsRequestedAt !== undefined) inputs.documents_requested_at = change.documentsRequestedAt;
    if (change.documentsReceivedAt !== undefined) inputs.documents_received_at = change.documentsReceivedAt;
    const due = computeDueDates(inputs, type);
    return {
      requestTypeId: change.typeId,
      documentsRequestedAt: change.documentsRequestedAt,
      documentsReceivedAt: change.documentsReceivedAt,
      decisionRegime: due.decisionRegime,
      decisionDueAt: due.decisionDueAt,
      decisionDueNonWorkingDay: due.decisionDueNonWorkingDay,
      responseDueAt: due.responseDueAt,
    };
  }
}
