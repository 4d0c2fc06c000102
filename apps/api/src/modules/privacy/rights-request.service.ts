import { Injectable } from '@nestjs/common';
import type {
  ConversationPrivacyDto,
  GrantRightsRequestInput,
  MessageDto,
  ProcessingRestrictionDto,
  ProcessingRestrictionKind,
  RightsRequestDto,
  RightsRequestKind,
} from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { canRead } from '../conversations/conversation-access';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationService } from '../conversations/conversation.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { CitizenRightsService } from './citizen-rights.service';
import { ProcessingRestrictionRepository } from './processing-restriction.repository';
import { RightsRequestRepository, type PrivacyConversationRow } from './rights-request.repository';

/** How the citizen reads the kind of their request. */
export const RIGHTS_KIND_FR: Record<RightsRequestKind, string> = {
  access: 'droit d’accès',
  rectification: 'droit de rectification',
  erasure: 'droit à l’effacement',
  objection: 'droit d’opposition',
  limitation: 'droit à la limitation du traitement',
};
/** What one reply may carry by e-mail (the channels' document limit). */
const MAX_EXPORT_BYTES = 10 * 1024 * 1024;

const day = (d: Date | string) =>
  new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(new Date(d));

/**
 * Rights requests (RGPD art. 12 and 15–21, issue 16): a conversation marked as one (any agent who
 * may read it) is due one month after receipt; a supervisor extends it once by two months, the
 * citizen told why by a reply in the conversation; the citizen's export is sent the same way.
 * Rectification of the citizen's name goes to every conversation through ConversationWriter.
 */
@Injectable()
export class RightsRequestService {
  constructor(
    private readonly repo: RightsRequestRepository,
    private readonly writer: ConversationWriter,
    private readonly conversations: ConversationService,
    private readonly rights: CitizenRightsService,
    private readonly audit: AuditRepository,
    private readonly restrictions: ProcessingRestrictionRepository,
    private readonly reader: ConversationReader,
  ) {}

  private async readable(agent: AuthAgent, id: string): Promise<PrivacyConversationRow> {
    const row = await this.repo.conversation(agent.organizationId, id);
    if (!row || !canRead(agent, row)) throw notFound('conversation');
    return row;
  }

  async privacy(agent: AuthAgent, id: string): Promise<ConversationPrivacyDto> {
    const row = await this.readable(agent, id);
    const restrictions = await this.restrictions.inForce(agent.organizationId, row.contact_id);
    return {
      rightsRequest: await this.repo.find(id),
      legalHold: RightsRequestRepository.legalHold(row),
      anonymized: row.anonymized_at !== null,
      restrictions,
      // The file's rule (guichet_limited_since) asked only when a limitation is in force.
      frozen:
        restrictions.some((r) => r.kind === 'limitation') && (await this.restrictions.limitedSince(row.contact_id, id)) !== null,
    };
  }

  /**
   * A limitation (art. 18) or objection (art. 21) request granted (supervisors, admins, like the
   * export and the erasure): the citizen's file carries it from now on, with the reason, who and
   * when (and, for a limitation, until when it is meant to last), audited. Answering the citizen
   * is the agent's reply in this conversation, which the limitation lets through.
   */
  async grant(agent: AuthAgent, id: string, input: GrantRightsRequestInput): Promise<ProcessingRestrictionDto> {
    const row = await this.readable(agent, id);
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur accorde une limitation ou une opposition');
    if (row.anonymized_at) throw conflict('cette demande est anonymisée');
    const request = await this.repo.find(id);
    if (!request) throw new AppError('not_found', 'cette conversation n’est pas une demande d’exercice de droits');
    if (request.kind !== 'limitation' && request.kind !== 'objection')
      throw conflict(
        `une demande au titre du ${RIGHTS_KIND_FR[request.kind]} ne s’accorde pas ici : seules la limitation et l’opposition`,
      );
    const kind: ProcessingRestrictionKind = request.kind;
    if (kind === 'objection' && input.until) throw badRequest('une opposition ne porte pas de date de fin', ['until']);
    return this.writer.tx(async (tx) => {
      const restrictionId = await this.restrictions.grant(tx.m, {
        organizationId: agent.organizationId,
        contactId: row.contact_id,
        kind,
        conversationId: id,
        reason: input.reason,
        until: input.until ?? null,
        agentId: agent.id,
      });
      if (!restrictionId)
        throw conflict(
          kind === 'limitation'
            ? 'les données de ce citoyen sont déjà limitées'
            : 'l’opposition de ce citoyen est déjà enregistrée',
        );
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'contact.processing_restricted',
          conversationId: id,
          contactId: row.contact_id,
          data: { restrictionId, kind, reason: input.reason, until: input.until ?? null },
        },
        tx.m,
      );
      await this.writer.tellRightsRequest(tx, agent.organizationId, id);
      return (await this.restrictions.find(restrictionId, tx.m))!;
    });
  }

  /** The citizen's limitations and objections, in force and lifted (the citizen card's banner and history). */
  async restrictionsOf(agent: AuthAgent, contactId: string): Promise<ProcessingRestrictionDto[]> {
    if (!(await this.repo.contactExists(agent.organizationId, contactId))) throw notFound('citoyen');
    if (!isManager(agent) && !(await this.reader.forContact(agent.organizationId, contactId)).some((c) => canRead(agent, c)))
      throw notFound('citoyen');
    return this.restrictions.list(agent.organizationId, contactId);
  }

  /**
   * Lifts a limitation or an objection (supervisors, admins), audited. A limitation's citizen is
   * told first (art. 18.3), by a reply in the rights request that asked for it; if that reply
   * cannot go (the conversation is gone, no channel reaches them), nothing changes.
   */
  async lift(
    agent: AuthAgent,
    contactId: string,
    kind: ProcessingRestrictionKind,
    reason: string,
  ): Promise<ProcessingRestrictionDto> {
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur lève une limitation ou une opposition');
    const current = (await this.restrictions.inForce(agent.organizationId, contactId)).find((r) => r.kind === kind);
    if (!current)
      throw new AppError(
        'not_found',
        kind === 'limitation' ? 'aucune limitation en cours pour ce citoyen' : 'aucune opposition en cours pour ce citoyen',
      );
    let toldMessageId: string | null = null;
    if (kind === 'limitation') {
      const request = current.conversationId ? await this.repo.conversation(agent.organizationId, current.conversationId) : null;
      if (!request || request.anonymized_at)
        throw conflict(
          'la demande de limitation n’existe plus : l’usager doit être prévenu avant la levée (RGPD art. 18.3), écrivez-lui dans une demande d’exercice de droits',
        );
      const told = await this.conversations.createMessage(agent, request.id, {
        kind: 'reply',
        version: request.version,
        body:
          `Bonjour,

La limitation du traitement de vos données personnelles, accordée le ${day(current.grantedAt)} à votre demande, ` +
          `va être levée. Conformément à l’article 18.3 du RGPD, nous vous en informons avant la levée.

Motif : ${reason}`,
      });
      toldMessageId = told.id;
    }
    return this.writer.tx(async (tx) => {
      const locked = await this.restrictions.lockInForce(tx.m, agent.organizationId, contactId, kind);
      if (!locked || locked.id !== current.id) throw conflict('elle a déjà été levée');
      await this.restrictions.lift(tx.m, locked.id, agent.id, reason);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'contact.processing_restriction_lifted',
          conversationId: locked.conversationId,
          contactId,
          data: { restrictionId: locked.id, kind, reason, toldMessageId },
        },
        tx.m,
      );
      if (locked.conversationId) await this.writer.tellRightsRequest(tx, agent.organizationId, locked.conversationId);
      return (await this.restrictions.find(locked.id, tx.m))!;
    });
  }

  async set(agent: AuthAgent, id: string, kind: RightsRequestKind): Promise<RightsRequestDto> {
    const row = await this.readable(agent, id);
    if (row.anonymized_at) throw conflict('cette demande est anonymisée');
    return this.writer.tx(async (tx) => {
      const before = await this.repo.find(id, tx.m, true);
      const dto = await this.repo.upsert(tx.m, {
        organizationId: agent.organizationId,
        conversationId: id,
        kind,
        receivedAt: row.created_at,
        agentId: agent.id,
      });
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.rights_request_set',
          conversationId: id,
          contactId: row.contact_id,
          data: { kind, previousKind: before?.kind ?? null, dueAt: dto.dueAt },
        },
        tx.m,
      );
      await this.writer.tellRightsRequest(tx, agent.organizationId, id);
      return dto;
    });
  }

  async clear(agent: AuthAgent, id: string): Promise<void> {
    const row = await this.readable(agent, id);
    await this.writer.tx(async (tx) => {
      if (!(await this.repo.remove(tx.m, id))) throw notFound('demande d’exercice de droits');
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.rights_request_cleared',
          conversationId: id,
          contactId: row.contact_id,
        },
        tx.m,
      );
      await this.writer.tellRightsRequest(tx, agent.organizationId, id);
    });
  }

  /**
   * Two more months, once (art. 12.3): the citizen is told first, by a reply in the conversation
   * saying why and until when; if that reply cannot go (no channel to answer on), nothing changes.
   */
  async extend(agent: AuthAgent, id: string, reason: string): Promise<RightsRequestDto> {
    const row = await this.readable(agent, id);
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur prolonge le délai');
    const current = await this.repo.find(id);
    if (!current) throw new AppError('not_found', 'cette conversation n’est pas une demande d’exercice de droits');
    if (current.extendedAt) throw conflict('le délai a déjà été prolongé : il ne peut l’être qu’une fois (deux mois au plus)');
    const due = new Date(current.receivedAt);
    const preview = await this.repo.monthsAfter(due, 3);
    await this.conversations.createMessage(agent, id, {
      kind: 'reply',
      version: row.version,
      body:
        `Bonjour,\n\nVotre demande relative à vos données personnelles (${RIGHTS_KIND_FR[current.kind]}), reçue le ${day(current.receivedAt)}, ` +
        `demande plus de temps que prévu. Conformément à l’article 12.3 du RGPD, le délai de réponse est prolongé de deux mois : ` +
        `vous recevrez notre réponse au plus tard le ${day(preview)}.\n\nMotif : ${reason}`,
    });
    return this.writer.tx(async (tx) => {
      const locked = await this.repo.find(id, tx.m, true);
      if (!locked || locked.extendedAt) throw conflict('le délai a déjà été prolongé');
      const extended = await this.repo.extend(tx.m, id, due, reason);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.rights_request_extended',
          conversationId: id,
          contactId: row.contact_id,
          data: { reason, dueAt: extended.dueAt },
        },
        tx.m,
      );
      await this.writer.tellRightsRequest(tx, agent.organizationId, id);
      return extended;
    });
  }

  /** The citizen's export (ZIP: readable HTML, JSON, files) sent as a reply in this conversation. */
  async sendExport(agent: AuthAgent, id: string): Promise<MessageDto> {
    const row = await this.readable(agent, id);
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur envoie l’export des données');
    const { fileName, zip } = await this.rights.export(agent, row.contact_id);
    if (zip.byteLength > MAX_EXPORT_BYTES)
      throw badRequest(
        `l’export pèse ${Math.ceil(zip.byteLength / 1024 / 1024)} Mo : trop lourd pour un message (10 Mo au plus), téléchargez-le et remettez-le autrement`,
      );
    const message = await this.conversations.createMessage(
      agent,
      id,
      {
        kind: 'reply',
        version: row.version,
        body:
          'Bonjour,\n\nVous trouverez ci-joint l’ensemble des données personnelles que nous détenons sur vous (article 15 du RGPD) : ' +
          'une page lisible (index.html, à ouvrir dans un navigateur), les mêmes données au format JSON (donnees.json) et vos pièces jointes.',
      },
      [{ originalname: fileName, mimetype: 'application/zip', size: zip.byteLength, buffer: Buffer.from(zip) }],
      { generatedTypes: ['application/zip'] },
    );
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'contact.export_sent',
      conversationId: id,
      contactId: row.contact_id,
      data: { messageId: message.id, fileName, bytes: zip.byteLength },
    });
    return message;
  }

  /** Rectification (art. 16): the citizen's name, on the file and every conversation, audited. */
  async rectifyName(agent: AuthAgent, contactId: string, name: string): Promise<{ id: string; name: string }> {
    if (!isManager(agent)) throw forbidden('seul un superviseur ou un administrateur rectifie le nom d’un usager');
    await this.writer.tx(async (tx) => {
      const renamed = await this.repo.renameContact(tx.m, agent.organizationId, contactId, name);
      if (!renamed) throw notFound('citoyen');
      const conversations = await this.writer.renameCitizen(tx, agent.organizationId, contactId, name);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'contact.rectified',
          contactId,
          data: { field: 'name', conversations: conversations.length },
        },
        tx.m,
      );
    });
    return { id: contactId, name };
  }
}
