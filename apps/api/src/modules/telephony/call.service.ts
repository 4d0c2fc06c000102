import { Injectable } from '@nestjs/common';
import {
  normalizePhone,
  rooms,
  type CallRingingDto,
  type ConversationCountedDto,
  type LogCallInput,
  type MessageDto,
  type PbxCallEvent,
} from '@guichet/contracts';
import type { AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { AgentDirectory } from '../agents/agent-directory.service';
import { AuditRepository } from '../../infra/audit/audit.repository';
import type { ResolvedChannel } from '../channels/channel.service';
import { ContactDirectory } from '../contacts/contact-directory.service';
import { toConversationDto, toCountedDto } from '../conversations/conversation.mapper';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { canRead } from '../conversations/conversation.service';
import { IngestService } from '../ingest/ingest.service';
import { domainEvent } from '../events/domain-events';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';
import { CallRepository, type CallMeta, type CallOutcomeState } from './call.repository';
import { CallRingingGateway } from './call-ringing.gateway';
import { TelephonyQueue } from './telephony-queue';

const OPEN = new Set(['open', 'pending', 'snoozed']);

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? ` (${m} min ${String(s).padStart(2, '0')} s)` : ` (${s} s)`;
}

/** The French line an agent reads in the timeline for a call. */
export function callBody(c: CallMeta): string {
  const d = formatDuration(c.durationSeconds);
  const note = c.note ? ` — ${c.note}` : '';
  if (c.provider === 'manual') {
    if (c.kind === 'counter') return `Accueil physique${d}${note}`;
    return (c.direction === 'outbound' ? `Appel passé au citoyen${d}` : `Appel reçu du citoyen${d}`) + note;
  }
  if (c.direction === 'outbound') {
    const to = c.to ?? 'le citoyen';
    if (c.outcome === 'answered') return `Appel sortant vers ${to} — abouti${d}`;
    if (c.outcome === 'missed' || c.outcome === 'voicemail') return `Appel sortant vers ${to} — sans réponse`;
    return `Appel sortant vers ${to}`;
  }
  const from = c.from ?? 'numéro masqué';
  switch (c.outcome) {
    case 'answered':
      return `Appel entrant de ${from} — répondu${d}`;
    case 'missed':
      return `Appel manqué de ${from} — à rappeler`;
    case 'voicemail':
      return `Message vocal de ${from}${d} — à rappeler`;
    default:
      return `Appel entrant de ${from} — en cours`;
  }
}

export interface CallPatch {
  outcome?: 'answered' | 'missed' | 'voicemail';
  /** The call ended: still ringing means nobody answered. */
  ended?: boolean;
  durationSeconds?: number;
  recordingUrl?: string;
  agentEmail?: string;
  at?: Date;
}

export interface IncomingCall {
  externalId: string;
  from: string;
  to: string;
  at: Date;
  provider: 'twilio' | 'pbx';
  agentEmail?: string;
  extension?: string;
}

/**
 * Calls from Twilio Voice and from any switchboard: one `call` message per call in the caller's
 * file, a `call.ringing` pop-up with the recognised citizen, the outcome when it ends, and the
 * "à rappeler" flag for missed calls and voicemails until an agent calls back.
 */
@Injectable()
export class CallService {
  constructor(
    private readonly writer: ConversationWriter,
    private readonly ingest: IngestService,
    private readonly contacts: ContactDirectory,
    private readonly conversations: ConversationReader,
    private readonly calls: CallRepository,
    private readonly audit: AuditRepository,
    private readonly directory: AgentDirectory,
    private readonly ringing: CallRingingGateway,
    private readonly queue: TelephonyQueue,
    private readonly restrictions: ProcessingRestrictions,
  ) {}

  /**
   * An incoming call: stored once per call id (provider retries are no-ops) in the caller's latest
   * open conversation, else a new one in the channel's service; the pop-up goes to `agentId` when
   * the switchboard says who picks up, else to the channel's service.
   */
  async incoming(
    channel: ResolvedChannel,
    c: IncomingCall,
    popup: { agentId?: string | null } | false,
  ): Promise<{ messageId: string; conversationId: string; created: boolean }> {
    const from = normalizePhone(c.from);
    const known = await this.contacts.contactIdByIdentity(undefined, channel.organizationId, 'phone', from);
    const call: CallMeta = {
      provider: c.provider,
      direction: 'inbound',
      from,
      to: c.to,
      outcome: 'ringing',
      startedAt: c.at.toISOString(),
      ...(c.agentEmail ? { agentEmail: c.agentEmail } : {}),
      ...(c.extension ? { extension: c.extension } : {}),
    };
    const result = await this.ingest.ingest({
      channelId: channel.id,
      externalId: c.externalId,
      from: { kind: 'phone', value: from },
      kind: 'call',
      text: callBody(call),
      receivedAt: c.at,
      thread: { latestOpen: true },
      meta: { call },
    });
    if (result.created && popup) {
      const open = (await this.conversations.forContact(channel.organizationId, result.contactId, 20)).filter((r) =>
        OPEN.has(r.status),
      );
      const contact = known ? await this.contacts.contact(channel.organizationId, known) : null;
      const dto: CallRingingDto = {
        callId: result.messageId,
        channelId: channel.id,
        channelKind: channel.kind,
        from,
        to: c.to,
        conversationId: result.conversationId,
        contact: contact ? { id: contact.id, name: contact.name } : null,
        openConversations: open.map(toConversationDto),
        at: c.at.toISOString(),
      };
      // Each audience sees only the open conversations it may read (ARCHITECTURE: access rules).
      if (popup.agentId) {
        const agent = await this.directory.agent(channel.organizationId, popup.agentId);
        if (agent) {
          const all = agent.role !== 'agent';
          this.ringing.emit([rooms.agent(agent.id)], {
            ...dto,
            openConversations: open.filter((r) => all || agent.teamIds.includes(r.team_id)).map(toConversationDto),
          });
        }
      } else {
        const conversationTeam = open.find((r) => r.id === result.conversationId)?.team_id;
        const org = rooms.org(channel.organizationId);
        for (const team of new Set([channel.teamId, conversationTeam].filter((t): t is string => !!t))) {
          this.ringing.emit(
            [rooms.team(team)],
            { ...dto, openConversations: open.filter((r) => r.team_id === team).map(toConversationDto) },
            [org],
          );
        }
        this.ringing.emit([org], dto);
      }
    }
    return result;
  }

  /**
   * Moves a call forward: ringing -> answered | missed -> voicemail, never backwards; adds the
   * duration, end time and recording. Missed and voicemail flag the file "à rappeler"; an answered
   * outgoing call is the callback, and clears it.
   */
  async complete(
    channelId: string,
    externalId: string,
    patch: CallPatch,
  ): Promise<{ messageId: string; outcome: CallOutcomeState } | null> {
    return this.writer.tx(async (tx) => {
      const { m } = tx;
      const row = await this.calls.lockCall(m, channelId, externalId);
      if (!row) return null;
      const call: CallMeta = { ...row.call };
      const before = call.outcome;
      let next = patch.outcome ?? (patch.ended && call.outcome === 'ringing' ? 'missed' : undefined);
      if (next === 'answered' && call.outcome !== 'ringing') next = undefined;
      if (next === 'missed' && call.outcome !== 'ringing') next = undefined;
      if (next === 'voicemail' && call.outcome !== 'ringing' && call.outcome !== 'missed') next = undefined;
      if (next) call.outcome = next;
      if (next === 'answered') call.answeredAt = (patch.at ?? new Date()).toISOString();
      if (patch.ended || next === 'voicemail') call.endedAt ??= (patch.at ?? new Date()).toISOString();
      if (
        patch.durationSeconds !== undefined &&
        (call.durationSeconds === undefined || next === 'voicemail' || next === 'answered')
      ) {
        call.durationSeconds = patch.durationSeconds;
      }
      if (patch.recordingUrl) call.recordingUrl = patch.recordingUrl;
      if (patch.agentEmail) call.agentEmail = patch.agentEmail;
      const body = callBody(call);
      const org = row.organization_id;
      await this.writer.rewriteCall(tx, row.conversation_id, row.id, body, { call });
      // "À rappeler" set or cleared moves the counters (callback, and a reopened file its status):
      // the state the change found, read from the row it locks, goes beside conversation.updated.
      let counted: ConversationCountedDto | undefined;
      if (row.direction === 'inbound' && (call.outcome === 'missed' || call.outcome === 'voicemail') && before !== call.outcome) {
        counted = await this.writer.setCallback(tx, org, row.conversation_id, true);
      }
      if (row.direction === 'outbound' && call.outcome === 'answered' && before !== 'answered') {
        counted = await this.writer.setCallback(tx, org, row.conversation_id, false);
      }
      const outcome = call.outcome;
      await this.writer.tell(tx, org, row.conversation_id, row.id, ({ conversation, message }) => [
        domainEvent('message.updated', org, { conversation, message, change: 'call' }),
        domainEvent('conversation.updated', org, { conversation, change: 'call', ...(counted ? { before: counted } : {}) }),
        ...(row.direction === 'inbound' && (outcome === 'missed' || outcome === 'voicemail') && before === 'ringing'
          ? [domainEvent('call.missed', org, { conversation, message, outcome })]
          : []),
      ]);
      return { messageId: row.id, outcome: call.outcome };
    });
  }

  /** Downloads a recording or voicemail into the blob store, on the job queue. */
  async fetchRecording(channel: ResolvedChannel, messageId: string, url: string): Promise<void> {
    const ext = /\.(mp3|wav|ogg)(\?|$)/i.exec(url)?.[1]?.toLowerCase() ?? 'mp3';
    await this.queue.sendMedia({
      organizationId: channel.organizationId,
      channelId: channel.id,
      messageId,
      items: [
        {
          url,
          fileName: `enregistrement.${ext}`,
          contentType: ext === 'wav' ? 'audio/wav' : ext === 'ogg' ? 'audio/ogg' : 'audio/mpeg',
        },
      ],
    });
  }

  /** A switchboard event (POST /webhooks/calls/:channelId). */
  async pbxEvent(
    channel: ResolvedChannel,
    e: PbxCallEvent,
  ): Promise<{ stored: boolean; messageId?: string; outcome?: CallOutcomeState }> {
    const at = new Date(e.at);
    const extensions = (channel.config.extensions ?? {}) as Record<string, string>;
    const agentEmail = e.agentEmail ?? (e.extension ? extensions[e.extension] : undefined);
    const agentId = agentEmail ? await this.calls.agentIdByEmail(channel.organizationId, agentEmail) : null;
    if (e.direction === 'inbound') {
      const incoming: IncomingCall = {
        externalId: e.callId,
        from: e.from,
        to: e.to,
        at,
        provider: 'pbx',
        agentEmail,
        extension: e.extension,
      };
      // A switchboard that skipped "ringing" still gets its call stored, without a late pop-up.
      const started = await this.incoming(channel, incoming, e.event === 'ringing' ? { agentId } : false);
      if (e.event === 'ringing') return { stored: true, messageId: started.messageId, outcome: 'ringing' };
    } else {
      const stored = await this.outgoing(channel, e, at);
      if (!stored) return { stored: false };
      if (e.event === 'ringing') return { stored: true, messageId: stored, outcome: 'ringing' };
    }
    // A recording on an inbound call nobody answered is a voicemail.
    const patch: CallPatch =
      e.event === 'answered'
        ? { outcome: 'answered', agentEmail, at }
        : {
            ended: true,
            outcome: e.recordingUrl && e.direction === 'inbound' ? 'voicemail' : undefined,
            durationSeconds: e.durationSeconds,
            recordingUrl: e.recordingUrl,
            agentEmail,
            at,
          };
    const done = await this.complete(channel.id, e.callId, patch);
    if (!done) return { stored: false };
    if (e.recordingUrl) await this.fetchRecording(channel, done.messageId, e.recordingUrl);
    return { stored: true, messageId: done.messageId, outcome: done.outcome };
  }

  /**
   * An agent's call out through the switchboard lands in the citizen's open conversation (the
   * callback) that their limitation, if any, does not freeze; a call to a number no such file holds
   * is not stored.
   */
  private async outgoing(channel: ResolvedChannel, e: PbxCallEvent, at: Date): Promise<string | null> {
    let to: string;
    try {
      to = normalizePhone(e.to);
    } catch {
      return null;
    }
    return this.writer.providerEvent<string | null>(
      channel.id,
      e.callId,
      async (tx) => {
        const { m } = tx;
        const contactId = await this.contacts.contactIdByIdentity(m, channel.organizationId, 'phone', to);
        if (!contactId) return null;
        // RGPD art. 18: not a file the citizen's limitation freezes (a call recorded there is
        // processing, refused to an agent logging it by hand): their rights request, or a request
        // they opened since, else the call is not stored.
        const conversationId = await this.conversations.latestOpenId(m, contactId, { processable: true });
        if (!conversationId) return null;
        // Its first response may take the file off its response deadline: the counted state before.
        const counted = await this.writer.counted(tx, channel.organizationId, conversationId);
        const call: CallMeta = {
          provider: 'pbx',
          direction: 'outbound',
          from: e.from,
          to,
          outcome: 'ringing',
          startedAt: at.toISOString(),
          ...(e.agentEmail ? { agentEmail: e.agentEmail } : {}),
          ...(e.extension ? { extension: e.extension } : {}),
        };
        const body = callBody(call);
        const authorAgentId = e.agentEmail ? await this.calls.agentIdByEmail(channel.organizationId, e.agentEmail) : null;
        const id = await this.writer.insertMessage(tx, {
          organizationId: channel.organizationId,
          conversationId,
          direction: 'outbound',
          kind: 'call',
          channelId: channel.id,
          authorAgentId,
          body,
          status: 'sent',
          externalId: e.callId,
          meta: { call },
          createdAt: at,
        });
        await this.writer.touchCall(tx, conversationId, { snippet: body, outbound: true, at });
        await this.recordCreated(tx, channel.organizationId, conversationId, id, authorAgentId, counted);
        return id;
      },
      (existing) => existing,
    );
  }

  /** A call line added to an existing conversation: outgoing (PBX) or logged by an agent (either way). */
  private async recordCreated(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    messageId: string,
    byAgentId: string | null,
    before: ConversationCountedDto | undefined,
  ): Promise<MessageDto> {
    const { message } = await this.writer.tell(tx, organizationId, conversationId, messageId, ({ conversation, message }) => [
      message.direction === 'inbound'
        ? domainEvent('message.received', organizationId, { conversation, message, newConversation: false })
        : domainEvent('message.sent', organizationId, { conversation, message, newConversation: false, byAgentId }),
      domainEvent('conversation.updated', organizationId, { conversation, change: 'message', ...(before ? { before } : {}) }),
    ]);
    return message;
  }

  /** An agent logs a call or a counter visit by hand; an outgoing phone call clears "à rappeler". */
  async logManual(agent: AuthAgent, conversationId: string, input: LogCallInput): Promise<MessageDto> {
    return this.writer.tx(async (tx) => {
      const { m } = tx;
      const row = await this.conversations.row(agent.organizationId, conversationId, m, true);
      if (!row || !canRead(agent, row)) throw notFound('conversation');
      // RGPD art. 18: a file the citizen's limitation freezes is stored, not processed. A call logged
      // there is recording (art. 4.2), as a note is: refused (423) like notes and replies. A call the
      // citizen made is logged in their rights request, or in the request it opens.
      await this.restrictions.assertMayProcess(
        m,
        row.contact_id,
        row.id,
        'aucun appel ni passage à l’accueil ne peut être consigné dans ce dossier (consignez-le dans sa demande d’exercice de droits)',
      );
      const at = new Date();
      const call: CallMeta = {
        provider: 'manual',
        direction: input.direction,
        from: null,
        to: null,
        outcome: 'logged',
        startedAt: at.toISOString(),
        kind: input.kind,
        agentEmail: agent.email,
        ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
        ...(input.note ? { note: input.note } : {}),
      };
      const body = callBody(call);
      const id = await this.writer.insertMessage(tx, {
        organizationId: agent.organizationId,
        conversationId,
        direction: input.direction,
        kind: 'call',
        channelId: null,
        authorAgentId: agent.id,
        body,
        status: input.direction === 'outbound' ? 'sent' : 'received',
        meta: { call },
        createdAt: at,
      });
      await this.writer.touchCall(tx, conversationId, { snippet: body, outbound: input.direction === 'outbound', at });
      if (input.direction === 'outbound' && input.kind === 'phone')
        await this.writer.setCallback(tx, agent.organizationId, conversationId, false);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'conversation.call_logged',
          conversationId,
          contactId: row.contact_id,
          data: { direction: input.direction, kind: input.kind },
        },
        m,
      );
      // Read locked before the call touched it: the first response and a cleared "à rappeler" move the counters.
      return this.recordCreated(tx, agent.organizationId, conversationId, id, agent.id, toCountedDto(row));
    });
  }
}
