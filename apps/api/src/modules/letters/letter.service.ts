import { Injectable } from '@nestjs/common';
import {
  civilDateAt,
  addCalendarDays,
  instantAt,
  InvalidIdentityError,
  isTownLetter,
  LETTER_MAX_AGE_DAYS,
  LETTER_SCAN_TYPES,
  letterSenderKey,
  LIMITS,
  normalizeIdentity,
  type ConversationDto,
  type IdentityKind,
  type MessageDto,
  type RegisterLetterInput,
} from '@guichet/contracts';
import { randomUUID } from 'node:crypto';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { badRequest, conflict, forbidden, notFound } from '../../common/errors';
import { uploadedFileType } from '../../common/file-type';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { AgentDirectory } from '../agents/agent-directory.service';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService } from '../channels/channel.service';
import { ContactService } from '../contacts/contact.service';
import { canRead } from '../conversations/conversation-access';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import type { AgentUpload } from '../conversations/conversation.service';
import { domainEvent } from '../events/domain-events';
import { DeadlineService } from '../request-types/deadline.service';
import { letterObject, letterPage } from './letter-page';
import { LetterRepository } from './letter.repository';

/**
 * Letters (courrier papier), Services Publics+ engagement 5 (answered within two weeks). An agent
 * registers a letter received at the town hall with its scan: a new conversation on the
 * organization's letter channel, dated the day the letter came (the CRPA dates and the response
 * target run from then), told as a citizen's new request (`message.received`, `conversation.created`):
 * routing, due dates and the acknowledgement follow as for any request, the acknowledgement being
 * a letter too. The agent typed the sender's details from paper: they prove nothing, so they add
 * no identity to anyone; they join the citizen they match exactly (ContactService.letterCitizen),
 * else a new citizen, flagged possibly related. Every answer on the letter channel is a printable
 * letter the agent prints, posts and marks posted.
 */
@Injectable()
export class LetterService {
  constructor(
    private readonly repo: LetterRepository,
    private readonly writer: ConversationWriter,
    private readonly reader: ConversationReader,
    private readonly contacts: ContactService,
    private readonly channels: ChannelService,
    private readonly deadlines: DeadlineService,
    private readonly directory: AgentDirectory,
    private readonly blobs: BlobStore,
    private readonly audit: AuditRepository,
  ) {}

  async register(agent: AuthAgent, input: RegisterLetterInput, scan: AgentUpload | undefined): Promise<ConversationDto> {
    const organizationId = agent.organizationId;
    const details: string[] = [];
    const receivedAt = receivedInstant(input.receivedOn, new Date(), details);
    const identities: { kind: IdentityKind; value: string }[] = [];
    for (const [field, kind] of [
      ['email', 'email'],
      ['phone', 'phone'],
    ] as const) {
      const typed = input[field];
      if (!typed) continue;
      try {
        identities.push({ kind, value: normalizeIdentity(kind, typed) });
      } catch (e) {
        if (!(e instanceof InvalidIdentityError)) throw e;
        details.push(`${field}: ${e.message}`);
      }
    }
    let scanType = '';
    if (!scan || !scan.size) details.push('scan: joignez le scan du courrier (PDF, JPEG ou PNG)');
    else {
      const { type, contradicts } = uploadedFileType(scan.originalname, scan.mimetype, scan.buffer);
      if (contradicts) details.push(`scan: « ${scan.originalname} » n’est pas le fichier qu’il dit être (${type})`);
      else if (!LETTER_SCAN_TYPES.includes(type)) details.push('scan: le scan doit être un PDF, une image JPEG ou PNG');
      scanType = type;
    }
    if (details.length) throw badRequest('courrier incomplet ou invalide', details);
    if (!isManager(agent) && !agent.teamIds.includes(input.teamId)) throw forbidden("vous n'appartenez pas à ce service");
    const channel = await this.channels.firstOfKind(organizationId, 'letter');
    if (!channel)
      throw badRequest('aucun canal « Courrier » actif : un administrateur le crée dans Administration, Canaux', [
        'channel: aucun canal courrier',
      ]);
    if (input.requestTypeId) await this.deadlines.usableType(undefined, organizationId, input.teamId, input.requestTypeId);
    // Bytes first: a rolled-back transaction leaves only an unreferenced blob (OrphanBlobs sweeps it).
    const { sha256, size } = await this.blobs.put(scan!.buffer);
    const fileName = scan!.originalname.slice(0, 255) || 'courrier-scanne';
    const senderKey = letterSenderKey(input.name, input.address);

    return this.writer.tx(async (tx) => {
      if (!(await this.directory.team(organizationId, input.teamId, tx.m)))
        throw badRequest('service inconnu', ['teamId: service inconnu pour cette commune']);
      // The citizen the typed details match exactly joins the letter; else a new one, and the agent
      // is told the letter may be of the citizen an e-mail, a number or an earlier letter points to.
      await this.repo.lockSender(tx.m, organizationId, senderKey);
      const sameSender = await this.repo.sameSender(tx.m, organizationId, senderKey);
      const citizen = await this.contacts.letterCitizen(tx.m, organizationId, input.name, identities, sameSender);
      const related = citizen.related.length
        ? (await this.reader.forContact(organizationId, citizen.related[0]!, 1))[0]
        : undefined;
      const conversationId = await this.writer.openConversation(tx, {
        organizationId,
        contactId: citizen.contactId,
        teamId: input.teamId,
        subject: input.subject,
        possiblyRelatedToId: related?.id ?? null,
        at: receivedAt,
        identity: citizen.held[0] ?? null,
        citizenName: input.name,
      });
      const messageId = await this.writer.insertMessage(tx, {
        organizationId,
        conversationId,
        direction: 'inbound',
        kind: 'message',
        channelId: channel.id,
        body: input.summary,
        status: 'received',
        externalId: `letter:${randomUUID()}`,
        meta: {
          letter: { receivedOn: input.receivedOn, sender: { name: input.name, address: input.address } },
          registeredBy: agent.id,
          // Who wrote, as later letters are compared with it (message_letter_sender_idx).
          letterSenderKey: senderKey,
          // The démarche given travels with the letter, as a form's does: the due dates' listener sets it.
          ...(input.requestTypeId ? { requestTypeId: input.requestTypeId } : {}),
        },
        createdAt: receivedAt,
      });
      await this.writer.insertAttachments(tx, organizationId, messageId, [{ fileName, contentType: scanType, size, sha256 }]);
      await this.writer.touchInbound(tx, conversationId, { snippet: input.summary, channelKind: 'letter', at: receivedAt });
      await this.audit.record(
        {
          organizationId,
          agentId: agent.id,
          action: 'conversation.letter_registered',
          conversationId,
          contactId: citizen.contactId,
          data: {
            receivedOn: input.receivedOn,
            teamId: input.teamId,
            scan: fileName,
            ...(citizen.joined ? { joinedCitizen: true } : {}),
          },
        },
        tx.m,
      );
      const { conversation } = await this.writer.tell(
        tx,
        organizationId,
        conversationId,
        messageId,
        ({ conversation, message }) => [
          domainEvent('message.received', organizationId, { conversation, message, newConversation: true }),
          domainEvent('conversation.created', organizationId, { conversation, origin: 'inbound' }),
        ],
      );
      return conversation;
    });
  }

  /** The printable page of a letter of the town hall (its acknowledgement or an answer), for an agent who may read the file. */
  async printable(agent: AuthAgent, conversationId: string, messageId: string): Promise<string> {
    const row = await this.townLetter(agent, conversationId, messageId);
    if (!row) throw notFound('courrier');
    if (row.withdrawn) throw withdrawnLetter(row.error);
    const contact = row.team_contact ?? {};
    return letterPage({
      organization: row.organization_name,
      service: {
        name: row.team_name,
        address: contact.address || row.organization_address,
        phone: contact.phone || row.organization_phone,
        email: contact.email || row.organization_email,
      },
      recipient: row.letter ? row.letter.sender : row.citizen_name ? { name: row.citizen_name, address: '' } : null,
      reference: row.reference,
      writtenAt: row.created_at,
      object: letterObject({
        acknowledgement: row.acknowledgement,
        subject: row.subject,
        receivedOn: row.letter?.receivedOn ?? null,
      }),
      body: row.body,
      postedAt: row.posted_at,
    });
  }

  /**
   * A message of a file this agent may read, if it is a letter of the town hall (isTownLetter);
   * null when it is another message of that file; undefined when there is none for them.
   */
  private async townLetter(agent: AuthAgent, conversationId: string, messageId: string) {
    const row = await this.repo.printable(agent.organizationId, conversationId, messageId);
    if (!row || !canRead(agent, row)) return undefined;
    return isTownLetter({ direction: row.direction, kind: row.kind, channelKind: row.channel_kind }) ? row : null;
  }

  /** The agent posted a printed letter: « envoyé par courrier », told live and audited. */
  async markPosted(agent: AuthAgent, conversationId: string, messageId: string): Promise<MessageDto> {
    const row = await this.townLetter(agent, conversationId, messageId);
    if (row === null) throw badRequest('seul un courrier de la mairie se marque posté');
    if (!row) throw notFound('courrier');
    if (row.withdrawn) throw withdrawnLetter(row.error);
    return this.writer.tx(async (tx) => {
      const written = await this.writer.letterPosted(tx, agent.organizationId, conversationId, messageId, agent.id);
      if (!written) throw conflict('ce courrier est déjà marqué posté');
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.letter_posted',
          conversationId,
          contactId: row.contact_id,
          data: { messageId },
        },
        tx.m,
      );
      return written.message;
    });
  }
}

/** A letter withdrawn before it was posted (its file forwarded elsewhere): neither printed nor posted any more. */
const withdrawnLetter = (reason: string | null) =>
  conflict(`ce courrier n’a pas été posté et ne doit plus l’être${reason ? ` : ${reason}` : ''}`);

/**
 * The instant a letter is dated at: now when it came today, else 9:00 (Paris) on the day of its
 * date stamp. Never a future day, nor older than LETTER_MAX_AGE_DAYS (a French reason in `details`).
 */
export function receivedInstant(receivedOn: string, now: Date, details: string[]): Date {
  const today = civilDateAt(now);
  const valid =
    /^\d{4}-\d{2}-\d{2}$/.test(receivedOn) &&
    !Number.isNaN(Date.parse(`${receivedOn}T00:00:00Z`)) &&
    new Date(`${receivedOn}T00:00:00Z`).toISOString().slice(0, 10) === receivedOn;
  if (!valid) details.push('receivedOn: date de réception invalide');
  else if (receivedOn > today) details.push('receivedOn: la date de réception ne peut pas être dans le futur');
  else if (receivedOn < addCalendarDays(today, -LETTER_MAX_AGE_DAYS))
    details.push(`receivedOn: un courrier reçu il y a plus de ${LETTER_MAX_AGE_DAYS} jours ne s’enregistre plus ici`);
  else return receivedOn === today ? now : instantAt(receivedOn, 9 * 60);
  return now;
}

/** How big a scan may be (the agents' upload limit). */
export const SCAN_BYTES = LIMITS.attachmentBytes;
