import { Injectable } from '@nestjs/common';
import { adapterFor } from '@guichet/channels';
import {
  awaitingDocuments,
  CHANNEL_CAPABILITIES,
  CHANNEL_KINDS,
  CHANNEL_IDENTITY,
  countedOf,
  InvalidIdentityError,
  mentionedAgentIds,
  normalizeIdentity,
  outboundFilesProblem,
  serviceTransferNotice,
  tooLongFor,
  type StartConversationInput,
  type ConversationCountsDto,
  type ConversationDto,
  type ConversationOpenedDto,
  type CreateMessageInput,
  type ListConversationsQuery,
  type MessageDto,
  type Page,
  type UpdateConversationInput,
  type ReplyChannelDto,
} from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { currentOrigin } from '../../common/request-context';
import { uploadedFileType } from '../../common/file-type';
import { BlobStore } from '../blobs/blob-store';
import type { NewAttachment } from './message.repository';
import { AppError, badRequest, conflict, forbidden, notFound, staleVersion } from '../../common/errors';
import { AgentDirectory } from '../agents/agent-directory.service';
import { ContactService } from '../contacts/contact.service';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { ChannelService } from '../channels/channel.service';
import { MessageRepository } from './message.repository';
import { AgentMessages } from '../outbound/agent-messages.service';
import { JobQueue } from '../../infra/jobs/job-queue';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { canRead } from './conversation-access';
import { decodeCursor, encodeCursor, toConversationDto, type ConversationRow } from './conversation.mapper';
import { SignatureService } from '../signatures/signature.service';
import { DeadlineService } from '../request-types/deadline.service';
import { LabelService } from '../labels/label.service';
import { ConversationRepository, type ConversationChanges } from './conversation.repository';
import { ConversationWriter, type WriterTx } from './conversation-writer.service';
import { AdministrationWithdrawals } from './administration-withdrawal.service';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';

/** A file an agent sends with a reply (multer's memory storage). */
export interface AgentUpload {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** The access rule lives in conversation-access.ts (realtime applies it too); features filter with it. */
export { canRead };

/** Whether this agent would see a file of this service once assigned it (managers see every service). */
const mayHold = (a: { role: string; teamIds: string[] }, teamId: string) => a.role !== 'agent' || a.teamIds.includes(teamId);

@Injectable()
export class ConversationService {
  constructor(
    private readonly db: Database,
    private readonly repo: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly channels: ChannelService,
    private readonly directory: AgentDirectory,
    private readonly audit: AuditRepository,
    private readonly queue: JobQueue,
    private readonly events: DomainEvents,
    private readonly agentMessages: AgentMessages,
    private readonly contacts: ContactService,
    private readonly deadlines: DeadlineService,
    private readonly signatures: SignatureService,
    private readonly writer: ConversationWriter,
    private readonly labels: LabelService,
    private readonly blobs: BlobStore,
    private readonly withdrawals: AdministrationWithdrawals,
    private readonly restrictions: ProcessingRestrictions,
  ) {}

  async list(agent: AuthAgent, q: ListConversationsQuery): Promise<Page<ConversationDto>> {
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && !after) throw badRequest('curseur de pagination invalide');
    const filter = {
      organizationId: agent.organizationId,
      ...(isManager(agent) ? {} : { visibleTeamIds: agent.teamIds, orSelf: agent.id }),
      status: q.status,
      teamId: q.teamId,
      assigneeId: q.assignee === 'me' ? agent.id : q.assignee === 'none' ? null : q.assignee,
      channel: q.channel,
      labelId: q.labelId,
      q: q.q,
      due: q.due,
      sortByDue: q.sort === 'due',
    };
    const [{ rows, total }] = await Promise.all([
      q.q
        ? this.repo.search({ ...filter, q: q.q, after: after ?? undefined, limit: q.limit + 1 })
        : this.repo
            .list({ ...filter, after: after ?? undefined, limit: q.limit + 1 })
            .then((rows) => ({ rows, total: undefined })),
      // A search is audited with its text: the access audit must answer "who looked for this
      // citizen", which the text alone tells (a name, an address, a reference). It is personal
      // data, but audit_event is itself the protected record of such accesses (never shown to
      // agents, kept under the same rules as the files); a plain list is not recorded.
      q.q
        ? this.audit.recordAccess({
            organizationId: agent.organizationId,
            agentId: agent.id,
            action: 'conversations.searched',
            data: { q: q.q },
          })
        : undefined,
    ]);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toConversationDto),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.due_key ?? last.sort_key, last.id) : null,
      // The first page of a search tells how many it finds (up to a cap); later pages do not.
      ...(total && !q.cursor ? { total } : {}),
    };
  }

  counts(agent: AuthAgent): Promise<ConversationCountsDto> {
    return this.repo.counts(agent.organizationId, agent.id, isManager(agent) ? undefined : agent.teamIds);
  }

  async canRead(agent: AuthAgent, id: string): Promise<boolean> {
    const row = await this.repo.findById(agent.organizationId, id);
    return !!row && canRead(agent, row);
  }

  /**
   * A file the agent opens, read together with the record of their access (RGPD access log),
   * committed before it is answered (ConversationRepository.findForView).
   */
  private async viewed(
    agent: AuthAgent,
    id: string,
    action: 'conversation.viewed' | 'conversation.messages_read',
    data?: Record<string, unknown>,
  ): Promise<ConversationRow> {
    const row = await this.repo.findForView(agent.organizationId, id, {
      agentId: agent.id,
      manager: isManager(agent),
      teamIds: agent.teamIds,
      action,
      origin: currentOrigin(),
      ...(data ? { data } : {}),
    });
    // Another organization's or another service's conversation does not exist for this agent.
    if (!row || !canRead(agent, row)) throw notFound('conversation');
    // The statement applies the same rule: a file shown without its access record would be a breach of the audit.
    if (!row.access_recorded) throw new Error(`access to conversation ${id} not recorded`);
    return row;
  }

  /** Opening a file is audited (RGPD access log) and marks it read. */
  async get(agent: AuthAgent, id: string): Promise<ConversationDto> {
    const row = await this.viewed(agent, id, 'conversation.viewed');
    const read = row.unread ? await this.writer.markRead(agent.organizationId, id) : null;
    return read ?? toConversationDto(row);
  }

  /**
   * A file as the agent app opens it: the conversation and its latest `limit` messages, read
   * together and recorded once in the access audit (`conversation.viewed`, `latestMessages`: what
   * the record covers), where fetching the file and its messages apart records two accesses for one
   * look (issue 16's audit-view bench). Older pages are recorded as they are read (messagesPage).
   */
  async opened(agent: AuthAgent, id: string, limit: number): Promise<ConversationOpenedDto> {
    const [row, { items, next }] = await Promise.all([
      this.viewed(agent, id, 'conversation.viewed', { latestMessages: limit }),
      this.messages.page(id, limit, null),
    ]);
    const read = row.unread ? await this.writer.markRead(agent.organizationId, id) : null;
    return {
      conversation: read ?? toConversationDto(row),
      messages: { items, nextCursor: next ? encodeCursor(next[0], next[1]) : null },
    };
  }

  /**
   * Reading a file's messages is audited like opening it, each page. The page is read while the
   * file is (and its access recorded), and answered only if the agent may read the file.
   */
  async messagesPage(agent: AuthAgent, id: string, limit: number, cursor?: string): Promise<Page<MessageDto>> {
    const before = cursor ? decodeCursor(cursor) : null;
    if (cursor && !before) throw badRequest('curseur de pagination invalide');
    const [, { items, next }] = await Promise.all([
      this.viewed(agent, id, 'conversation.messages_read'),
      this.messages.page(id, limit, before),
    ]);
    return { items, nextCursor: next ? encodeCursor(next[0], next[1]) : null };
  }

  /**
   * A reply or a note, guarded by the version the agent saw: if the conversation changed since
   * (a new citizen message, a colleague's reply), 409 with the current state and nothing stored.
   */
  async createMessage(
    agent: AuthAgent,
    id: string,
    input: CreateMessageInput,
    files: AgentUpload[] = [],
    /** Types the channel takes from the server's own files only (a citizen's data export: a ZIP), not from uploads. */
    o: { generatedTypes?: readonly string[] } = {},
  ): Promise<MessageDto> {
    const typed = files.map((f) => {
      const { type, contradicts } = uploadedFileType(f.originalname, f.mimetype, f.buffer);
      if (contradicts)
        throw badRequest(`« ${f.originalname} » n’est pas le fichier qu’il dit être (${type}) : il n’est pas envoyé`);
      return { fileName: f.originalname, contentType: type, size: f.size, content: f.buffer };
    });
    // Colleagues who could be named: whoever may read the file (its service, the managers, its holder).
    const colleagues = input.kind === 'note' && input.body.includes('@') ? await this.directory.agents(agent.organizationId) : [];
    return this.db.tx(async (m, afterCommit) => {
      const row = await this.repo.findById(agent.organizationId, id, m, true);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      if (row.version !== input.version) throw staleVersion(toConversationDto(row));
      // RGPD art. 18: a file the citizen's limitation freezes is stored, not processed: no reply (only
      // the rights request, and requests they opened since, are answered), and no internal note
      // either. A note is processing (art. 4.2: recording, adaptation of the file's data), and art.
      // 18.2 allows storage only; the verification a limitation waits for (art. 18.1.a) is written in
      // the rights request, which stays open to notes, as do the requests the citizen opened since.
      if (input.kind === 'reply') await this.restrictions.assertMaySend(m, row.contact_id, row.id);
      else
        await this.restrictions.assertMayProcess(
          m,
          row.contact_id,
          row.id,
          'aucune note ne peut être ajoutée à ce dossier (écrivez-la dans sa demande d’exercice de droits)',
        );

      const channel = input.kind === 'reply' ? await this.replyChannel(m, row, input.channelId) : null;
      // L111-2: a reply carries the agent's identity (what is sent is what the thread shows).
      const body = channel ? await this.signatures.sign(m, agent, row.team_id, channel.kind, input.body) : input.body;
      const tooLong = channel && tooLongFor(channel.kind, body);
      if (tooLong) throw badRequest(tooLong, [`body: ${tooLong} (signature comprise)`]);
      const filesProblem = outboundFilesProblem(
        channel?.kind ?? 'note',
        typed.filter((f) => !o.generatedTypes?.includes(f.contentType)),
      );
      if (filesProblem) throw badRequest(filesProblem, [`attachments: ${filesProblem}`]);
      const attachments: NewAttachment[] = [];
      // Bytes first: a rolled-back transaction leaves only an unreferenced blob (OrphanBlobs sweeps it).
      for (const f of typed) {
        const { sha256, size } = await this.blobs.put(f.content);
        attachments.push({ fileName: f.fileName, contentType: f.contentType, size, sha256 });
      }
      const mentioned = mentionedAgentIds(
        input.body,
        colleagues.filter((a) => a.id !== agent.id && canRead({ ...a, organizationId: agent.organizationId }, row)),
      );
      const { message } = await this.agentMessages.record(m, afterCommit, agent, {
        conversationId: id,
        contactId: row.contact_id,
        kind: input.kind,
        channel,
        body,
        attachments,
        mentionedAgentIds: mentioned,
        before: countedOf(toConversationDto(row)),
      });
      return message;
    });
  }

  /**
   * An agent writes first (by e-mail, SMS or WhatsApp): the citizen is found by that identity or
   * created, a conversation opens assigned to the agent, and the message is queued like a reply.
   */
  async start(agent: AuthAgent, input: StartConversationInput): Promise<{ conversation: ConversationDto; message: MessageDto }> {
    const tooLong = tooLongFor(input.channelKind, input.body);
    if (tooLong) throw badRequest(tooLong, [`body: ${tooLong}`]);
    const identityKind = CHANNEL_IDENTITY[input.channelKind]!;
    let value: string;
    try {
      value = normalizeIdentity(identityKind, input.to);
    } catch (e) {
      if (e instanceof InvalidIdentityError) throw badRequest(e.message, [`to: ${e.message}`]);
      throw e;
    }
    const teamId = input.teamId ?? (agent.teamIds.length === 1 ? agent.teamIds[0] : undefined);
    if (!teamId) throw badRequest('choisissez le service de la conversation', ['teamId: obligatoire']);
    if (!isManager(agent) && !agent.teamIds.includes(teamId)) throw forbidden("vous n'appartenez pas à ce service");
    return this.db.tx(async (m, afterCommit) => {
      if (!(await this.directory.team(agent.organizationId, teamId, m)))
        throw badRequest('service inconnu', [`teamId: ${teamId}`]);
      const channel = await this.repo.outboundChannelFor(m, agent.organizationId, input.channelKind, teamId);
      if (!channel) throw badRequest(`aucun canal ${input.channelKind} actif dans votre organisation`);
      // The number or address typed may be an existing citizen's (the message must reach them), but
      // this agent is shown only what their services hold: the conversation holds the identity
      // typed and the name typed, nothing of the citizen's files elsewhere (issue 10, item 3).
      const contactId = await this.contacts.resolve(m, agent.organizationId, identityKind, value, input.name ?? null);
      await this.restrictions.assertMaySend(m, contactId, null);
      const id = await this.repo.insert(m, {
        organizationId: agent.organizationId,
        contactId,
        teamId,
        subject: input.subject || null,
        at: new Date(),
        identity: { kind: identityKind, value },
        citizenName: input.name,
      });
      await this.repo.update(m, id, { assigneeId: agent.id });
      const body = await this.signatures.sign(m, agent, teamId, channel.kind, input.body);
      const signedTooLong = tooLongFor(input.channelKind, body);
      if (signedTooLong) throw badRequest(signedTooLong, [`body: ${signedTooLong} (signature comprise)`]);
      const { conversation, message } = await this.agentMessages.record(m, afterCommit, agent, {
        conversationId: id,
        contactId,
        kind: 'reply',
        channel,
        body,
        audit: { started: true },
        newConversation: true,
      });
      return { conversation, message };
    });
  }

  /**
   * Sends a failed reply again (the retry button): the same message goes back to the outbound
   * queue, its error cleared. Only failed replies qualify, and interrupted ones (`sending` with a
   * reason: an attempt the provider could not be asked about, outbound.worker.ts); the
   * conversation is not bumped.
   */
  async retryMessage(agent: AuthAgent, id: string, messageId: string): Promise<MessageDto> {
    return this.db.tx(async (m, afterCommit) => {
      const row = await this.repo.findById(agent.organizationId, id, m, true);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      await this.restrictions.assertMaySend(m, row.contact_id, row.id);
      const queue = await this.repo.requeueFailedReply(m, id, messageId);
      if (!queue) throw badRequest("seule une réponse dont l'envoi a échoué peut être renvoyée");
      if (queue === 'skipped')
        throw conflict("cet avis n'a pas été envoyé (une annulation l'a précédé) : il ne peut pas être renvoyé");
      await this.queue.sendInTx(m, queue, { messageId, organizationId: agent.organizationId });
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.replied',
          conversationId: id,
          contactId: row.contact_id,
          data: { retriedMessageId: messageId },
        },
        m,
      );
      const conversation = toConversationDto(row);
      const message = (await this.messages.findDto(messageId, m))!;
      await this.events.record(
        m,
        afterCommit,
        domainEvent('message.updated', agent.organizationId, { conversation, message, change: 'requeued' }),
      );
      return message;
    });
  }

  /**
   * The connected channels that reach one of the citizen's identities (not opted out), one per
   * kind, the conversation's service's first: the composer offers them besides the thread's own
   * (a web form request's e-mail or phone). replyChannel() accepts exactly these.
   */
  async replyChannels(agent: AuthAgent, id: string): Promise<ReplyChannelDto[]> {
    return this.db.tx(async (m) => {
      const row = await this.repo.findById(agent.organizationId, id, m);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      const out: ReplyChannelDto[] = [];
      for (const kind of CHANNEL_KINDS) {
        const identityKind = CHANNEL_IDENTITY[kind];
        if (!identityKind || !CHANNEL_CAPABILITIES[kind].reply) continue;
        const identity = await this.repo.replyIdentity(m, row.contact_id, identityKind);
        if (!identity || identity.opted_out_at) continue;
        const channel = await this.repo.outboundChannelFor(m, agent.organizationId, kind, row.team_id);
        if (channel) out.push({ id: channel.id, kind, to: identity.value });
      }
      return out;
    });
  }

  /**
   * The channel a reply goes out on: the one asked for, else the channel of the citizen's last
   * message. It must belong to the organization and reach an identity of this citizen.
   */
  async replyChannel(m: import('typeorm').EntityManager, row: ConversationRow, channelId?: string) {
    let id = channelId;
    if (!id) {
      id = await this.repo.lastInboundChannelId(m, row.id);
    }
    if (!id) throw badRequest('précisez le canal de réponse (channelId)');
    const channel = await this.channels.find(row.organization_id, id, m);
    if (!channel) throw badRequest('canal de réponse inconnu');
    if (!channel.enabled) throw badRequest(`le canal « ${channel.name} » est désactivé : un administrateur doit le connecter`);
    const adapter = adapterFor(channel.kind);
    if (!CHANNEL_CAPABILITIES[channel.kind].reply)
      throw badRequest(`le canal ${channel.name} ne transmet pas de réponse écrite : choisissez un autre canal`);
    if (adapter.checkReply) {
      const lastInboundAt = await this.messages.lastInboundAt(row.id, channel.kind, m);
      const refusal = adapter.checkReply({ lastInboundAt, now: new Date() });
      if (refusal) throw badRequest(refusal);
    }
    const identityKind = CHANNEL_IDENTITY[channel.kind];
    if (identityKind) {
      const identity = await this.repo.replyIdentity(m, row.contact_id, identityKind);
      if (!identity) throw badRequest(`ce citoyen n'a pas d'identité ${identityKind} : choisissez un autre canal`);
      if (identity.opted_out_at) throw badRequest(`ce citoyen a refusé les messages sur ce canal (${identityKind})`);
    } else {
      if (!(await this.repo.channelUsed(m, row.id, channel.id)))
        throw badRequest(`le canal ${channel.kind} ne peut répondre qu'aux demandes reçues par lui`);
    }
    return channel;
  }

  /**
   * A request an agent transfers to another service, told to the citizen when the organization
   * wants it: on the channel a reply would take, signed by the agent (L111-2), queued as the town
   * hall's notice (no answer: the response target still runs). Not told when no channel reaches
   * the citizen (an agent's own file, a disabled channel, an opt-out) nor for a closed file.
   */
  private async tellTransfer(tx: WriterTx, agent: AuthAgent, row: ConversationRow, teamId: string): Promise<void> {
    if (row.status === 'resolved' || row.status === 'closed') return;
    const { on, team } = await this.repo.transferNoticeFacts(tx.m, agent.organizationId, teamId);
    if (!on) return;
    const channel = await this.replyChannel(tx.m, row).catch((e: unknown) => {
      if (e instanceof AppError) return null;
      throw e;
    });
    if (!channel) return;
    const body = await this.signatures.sign(
      tx.m,
      agent,
      row.team_id,
      channel.kind,
      serviceTransferNotice({ reference: row.reference, team }),
    );
    if (tooLongFor(channel.kind, body)) return;
    await this.agentMessages.notice(tx, agent.organizationId, row.id, {
      channel,
      body,
      meta: { transferNotice: true },
      byAgentId: agent.id,
    });
  }

  /**
   * Status, priority, service, assignee and labels. Agents take (assign to themselves), release, change
   * status or priority in their services, and hand a file that is theirs or nobody's to a colleague
   * or another service (with a note); supervisors and admins reassign anyone's. The assignee must
   * be of the file's service (after the move, when `teamId` moves it in the same request).
   */
  async update(agent: AuthAgent, id: string, input: UpdateConversationInput): Promise<ConversationDto> {
    return this.db.tx(async (m, afterCommit) => {
      const row = await this.repo.findById(agent.organizationId, id, m, true);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      if (row.version !== input.version) throw staleVersion(toConversationDto(row));
      const manager = isManager(agent);

      // An agent hands over what is theirs or nobody's; a colleague's file is a supervisor's to move.
      const mayHandOver = manager || row.assignee_id === null || row.assignee_id === agent.id;
      let assigneeId = input.assigneeId;
      const moving = input.teamId !== undefined && input.teamId !== row.team_id;
      if (moving) {
        // RGPD art. 18: a file the citizen's limitation freezes is not routed to another service.
        await this.restrictions.assertMayProcess(m, row.contact_id, row.id, 'le transfert vers un autre service est impossible');
        if (!mayHandOver) throw forbidden('seul un superviseur peut transférer une conversation prise par un collègue');
        // The receiving service reads why the file comes to it: the same rule as the web form's.
        if (!input.note)
          throw badRequest('une note de transmission est obligatoire pour changer le service de la conversation', [
            'note: écrivez une note pour le service qui reçoit la conversation',
          ]);
        if (!(await this.directory.team(agent.organizationId, input.teamId!, m)))
          throw badRequest('service inconnu', [`teamId: ${input.teamId}`]);
        // Whoever holds it and is not of the new service lets it go: the new service takes it from its queue.
        if (assigneeId === undefined && row.assignee_id) {
          const holder = await this.directory.agent(agent.organizationId, row.assignee_id, m);
          if (!holder || !mayHold(holder, input.teamId!)) assigneeId = null;
        }
      }
      if (assigneeId !== undefined && assigneeId !== row.assignee_id) {
        const take = assigneeId === agent.id && (row.assignee_id === null || manager);
        const release = assigneeId === null && row.assignee_id === agent.id;
        if (!take && !release && !mayHandOver) {
          throw forbidden('seul un superviseur peut réassigner une conversation prise par un collègue');
        }
        if (assigneeId) {
          const target = await this.directory.agent(agent.organizationId, assigneeId, m);
          if (!target) throw badRequest('agent inconnu', [`assigneeId: ${assigneeId}`]);
          const teamId = input.teamId ?? row.team_id;
          if (!mayHold(target, teamId)) {
            const team = await this.directory.team(agent.organizationId, teamId, m);
            throw new AppError(
              'unprocessable',
              `${target.name} ne fait pas partie du service « ${team?.name ?? ''} » et ne verrait pas cette conversation : ` +
                'choisissez un agent de ce service, ou transférez-la en même temps à un service de cet agent',
              [`assigneeId: ${assigneeId}`],
            );
          }
        }
      }
      if (input.status === 'snoozed' && !input.snoozedUntil)
        throw badRequest('indiquez jusqu’à quand mettre en pause (snoozedUntil)');
      if (input.snoozedUntil && new Date(input.snoozedUntil) <= new Date())
        throw badRequest('la date de fin de pause doit être future');

      // The démarche (of the service the file ends up in) and L114-5: the due dates follow.
      // Snoozing is the agent's own reminder and never moves them.
      let due: ConversationChanges = {};
      if (input.requestTypeId !== undefined || input.awaitingDocuments !== undefined) {
        if (input.requestTypeId)
          await this.deadlines.usableType(m, agent.organizationId, input.teamId ?? row.team_id, input.requestTypeId);
        const now = new Date();
        const waiting = awaitingDocuments({ requestedAt: row.documents_requested_at, receivedAt: row.documents_received_at });
        due = await this.deadlines.changes(m, agent.organizationId, id, row.request_type_id, {
          typeId: input.requestTypeId,
          ...(input.awaitingDocuments === true && !waiting ? { documentsRequestedAt: now } : {}),
          ...(input.awaitingDocuments === false && waiting ? { documentsReceivedAt: now } : {}),
        });
      }
      // Labels: any agent who may change the file sets them (the list given is what it carries after).
      if (input.labelIds !== undefined) await this.labels.set(m, agent.organizationId, id, input.labelIds);
      // A file forwarded to another administration and taken back: no longer « transmise », and
      // that administration is told (once) in this transaction.
      const withdrawing =
        row.status === 'closed' && !!row.transmitted_to && input.status !== undefined && input.status !== 'closed';
      await this.repo.update(m, id, {
        ...due,
        ...(withdrawing ? { transmittedTo: null } : {}),
        status: input.status,
        priority: input.priority,
        teamId: input.teamId,
        assigneeId,
        snoozedUntil: input.status === 'snoozed' ? input.snoozedUntil : undefined,
      });
      // What the counters read of it before: screens move them by the difference (no refetch).
      const before = countedOf(toConversationDto(row));
      const { version: _, note, ...changes } = input;
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.updated',
          conversationId: id,
          contactId: row.contact_id,
          data: { ...changes, ...(assigneeId !== input.assigneeId ? { assigneeId } : {}) },
        },
        m,
      );
      const withdrawal = withdrawing ? await this.withdrawals.withdraw({ m, afterCommit }, agent, row) : null;
      // The handover note stays in the thread, where the receiver reads it with the file.
      if (note)
        await this.agentMessages.record(m, afterCommit, agent, {
          conversationId: id,
          contactId: row.contact_id,
          kind: 'note',
          channel: null,
          body: note,
          audit: { handover: true },
          before,
        });
      if (moving) await this.tellTransfer({ m, afterCommit }, agent, row, input.teamId!);
      const dto = toConversationDto((await this.repo.findById(agent.organizationId, id, m))!);
      const org = agent.organizationId;
      const byAgentId = agent.id;
      const events: DomainEvent[] = [
        domainEvent('conversation.updated', org, {
          conversation: dto,
          change: 'agent',
          previous: { teamId: row.team_id, assigneeId: row.assignee_id, status: row.status },
          before,
        }),
      ];
      if (row.team_id !== dto.teamId) {
        events.push(
          domainEvent('conversation.transferred', org, {
            conversation: dto,
            previousTeamId: row.team_id,
            teamId: dto.teamId,
            byAgentId,
            ...(note ? { note } : {}),
          }),
        );
      }
      if (row.assignee_id !== dto.assigneeId) {
        events.push(
          domainEvent('conversation.assigned', org, {
            conversation: dto,
            previousAssigneeId: row.assignee_id,
            assigneeId: dto.assigneeId,
            byAgentId,
            ...(note ? { note } : {}),
          }),
        );
      }
      if (row.status !== dto.status) {
        events.push(
          domainEvent('conversation.status_changed', org, {
            conversation: dto,
            previousStatus: row.status,
            status: dto.status,
            byAgentId,
          }),
        );
      }
      if (withdrawal)
        events.push(
          domainEvent('message.sent', org, {
            conversation: dto,
            message: (await this.messages.findDto(withdrawal, m))!,
            newConversation: false,
            byAgentId,
          }),
        );
      await this.events.record(m, afterCommit, ...events);
      return dto;
    });
  }
}
