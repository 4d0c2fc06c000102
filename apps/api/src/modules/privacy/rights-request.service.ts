import { Injectable } from '@nestjs/common';
import type { ConversationPrivacyDto, MessageDto, RightsRequestDto, RightsRequestKind } from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { canRead } from '../conversations/conversation-access';
import { ConversationService } from '../conversations/conversation.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { CitizenRightsService } from './citizen-rights.service';
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
  ) {}

  private async readable(agent: AuthAgent, id: string): Promise<PrivacyConversationRow> {
    const row = await this.repo.conversation(agent.organizationId, id);
    if (!row || !canRead(agent, row)) throw notFound('conversation');
    return row;
  }

  async privacy(agent: AuthAgent, id: string): Promise<ConversationPrivacyDto> {
    const row = await this.readable(agent, id);
    return {
      rightsRequest: await this.repo.find(id),
      legalHold: RightsRequestRepository.legalHold(row),
      anonymized: row.anonymized_at !== null,
    };
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
