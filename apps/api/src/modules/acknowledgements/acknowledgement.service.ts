import { Inject, Injectable } from '@nestjs/common';
import {
  ACK_TEMPLATE_NAMES,
  ACKNOWLEDGED_CHANNELS,
  ackForm,
  CHANNEL_CAPABILITIES,
  CHANNEL_IDENTITY,
  DEFAULT_ACK_TEMPLATES,
  effectiveAckTemplates,
  REQUEST_TYPE_ACK_TEMPLATE_NAMES,
  renderAcknowledgement,
  type AckFacts,
  type AcknowledgementKind,
  type AcknowledgementSettingsDto,
  type AckTemplateName,
  type RequestTypeAckTemplateName,
  type UpdateAcknowledgementSettingsInput,
  type UpdateRequestTypeAcknowledgementInput,
} from '@guichet/contracts';
import { optKeyword } from '@guichet/channels';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AfterCommit } from '../../common/database';
import type { AuthAgent } from '../../common/auth-agent';
import { notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { domainEvent } from '../events/domain-events';
import { trackingToken } from '../public/tracking-token';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { SignatureService } from '../signatures/signature.service';
import {
  AcknowledgementRepository,
  type AckContextRow,
  type RequestTypeAckTemplates,
  type SavedAckSettings,
} from './acknowledgement.repository';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';

/** Why a request got no acknowledgement (kept with the decision, so that it is taken once). */
type SkipReason =
  | 'disabled'
  | 'service-disabled'
  | 'exempt'
  | 'auto-reply'
  | 'channel'
  | 'channel-disabled'
  | 'opted-out'
  | 'no-identity'
  /** The citizen's data is limited (RGPD art. 18) and this is no rights request: nothing goes out. */
  | 'limitation';

/**
 * The legal acknowledgements Guichet sends by itself (CRPA L112-3, R112-5; L112-11 for electronic
 * requests): decided under
 * the conversation's lock, recorded in `acknowledgement` in the same transaction as the message
 * they send, so a request gets at most one registration and one receipt whatever re-runs.
 * - A new request whose démarche is known gets the accusé de réception at once (it is the
 *   accusé d'enregistrement too); one whose démarche is not known yet gets the accusé
 *   d'enregistrement at once, and the accusé de réception when an agent sets the démarche.
 * - A démarche changed after the accusé de réception: a corrected one.
 * - None for R112-4 exceptions (the démarche's flag), auto-replies, calls, a citizen who said STOP
 *   on that channel, an organization or service that turned them off.
 * Sent on the channel the request came by, as an outbound message of the conversation (the
 * tracking page shows it): full text by e-mail and on the form, short text with the tracking
 * link by SMS and chat, a printed letter for a paper request (its own texts: no accusé
 * d'enregistrement électronique on paper, the first letter of a request without its démarche
 * only acknowledges it, the complete one follows when the démarche is set).
 */
@Injectable()
export class AcknowledgementService {
  constructor(
    private readonly repo: AcknowledgementRepository,
    private readonly writer: ConversationWriter,
    private readonly queue: JobQueue,
    private readonly audit: AuditRepository,
    private readonly signatures: SignatureService,
    private readonly restrictions: ProcessingRestrictions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A citizen opened a request (its first message stored, due dates set). */
  async onNewRequest(m: EntityManager, afterCommit: AfterCommit, organizationId: string, conversationId: string): Promise<void> {
    const ctx = await this.repo.context(m, organizationId, conversationId);
    if (!ctx) return;
    if ((await this.repo.sent(m, conversationId)).length) return; // decided already (a re-run)
    const skip = this.skipReason(ctx) ?? (await this.identityProblem(m, ctx));
    const typeId = ctx.request_type_id;
    if (skip)
      return this.repo.record(m, { organizationId, conversationId, kind: 'skipped', reason: skip, requestTypeId: typeId });
    await this.send(m, afterCommit, ctx, typeId ? 'receipt' : 'registration');
  }

  /** The conversation's démarche may have changed: the receipt after a registration, or a corrected one. */
  async onTypeMaybeChanged(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    conversationId: string,
  ): Promise<void> {
    const ctx = await this.repo.context(m, organizationId, conversationId);
    if (!ctx || !ctx.request_type_id || ctx.request_type_exempt) return;
    const sent = await this.repo.sent(m, conversationId);
    if (!sent.length) return; // not a citizen's electronic request, or not decided yet (the new-request job will)
    const receipts = sent.filter((s) => s.kind === 'receipt' || s.kind === 'correction');
    const last = receipts[receipts.length - 1];
    if (last && last.request_type_id === ctx.request_type_id) return;
    // Skipped at first only because the démarche was exempt: it no longer is, the receipt is due.
    const skipped = sent.find((s) => s.kind === 'skipped');
    if (skipped && skipped.reason !== 'exempt') return;
    const problem = this.skipReason(ctx) ?? (await this.identityProblem(m, ctx));
    if (problem) return;
    await this.send(m, afterCommit, ctx, last ? 'correction' : 'receipt');
  }

  private skipReason(ctx: AckContextRow): SkipReason | null {
    if (!ctx.settings?.enabled) return 'disabled';
    if (!ctx.team_acknowledgements) return 'service-disabled';
    if (ctx.first_direction !== 'inbound' || ctx.first_kind !== 'message') return 'channel';
    if (ctx.first_auto_reply) return 'auto-reply';
    // « STOP » as a first SMS is no request (its opt-out may be recorded just after this runs).
    if (ctx.first_body && optKeyword(ctx.first_body)) return 'opted-out';
    if (!ctx.first_channel_kind || !ACKNOWLEDGED_CHANNELS[ctx.first_channel_kind]) return 'channel';
    // Nothing can go out on it (the demo's unconnected channels): no failed message in the thread.
    if (!ctx.first_channel_enabled) return 'channel-disabled';
    if (ctx.request_type_exempt) return 'exempt';
    return null;
  }

  /** SMS, WhatsApp, Messenger: the citizen's identity there must exist and not have said STOP. */
  private async identityProblem(m: EntityManager, ctx: AckContextRow): Promise<SkipReason | null> {
    if (await this.restrictions.limitedOutside(m, ctx.contact_id, ctx.conversation_id)) return 'limitation';
    const kind = CHANNEL_IDENTITY[ctx.first_channel_kind!];
    if (!kind) return null;
    const opted = await this.repo.optedOut(m, ctx.contact_id, kind);
    if (opted === null) return 'no-identity';
    return opted ? 'opted-out' : null;
  }

  private async send(m: EntityManager, afterCommit: AfterCommit, ctx: AckContextRow, kind: AcknowledgementKind): Promise<void> {
    const organizationId = ctx.organization_id;
    const channelKind = ctx.first_channel_kind!;
    const form = ackForm(channelKind)!;
    const postal = form === 'paper';
    // The démarche's own text where it has one, the organization's otherwise; the R112-5 mentions either way.
    const templates = effectiveAckTemplates(ctx.settings?.templates, ctx.request_type_templates);
    let body = renderAcknowledgement(kind, form, templates, this.facts(ctx));
    // A paper request gets a paper acknowledgement: the letter of the agent who registered it,
    // signed with their identity (L111-2), printed and posted by them (« à poster » until then).
    const author = postal ? ctx.first_registered_by : null;
    if (author) body = await this.signatures.sign(m, { id: author, organizationId }, ctx.team_id, channelKind, body);
    const tx = { m, afterCommit };
    const messageId = await this.writer.insertMessage(tx, {
      organizationId,
      conversationId: ctx.conversation_id,
      direction: 'outbound',
      kind: 'message',
      channelId: ctx.first_channel_id,
      authorAgentId: author,
      body,
      status: 'queued',
      meta: { acknowledgement: kind },
    });
    if (!postal) await this.queue.sendInTx(m, QUEUES.outboundSend, { messageId, organizationId });
    await this.repo.record(m, {
      organizationId,
      conversationId: ctx.conversation_id,
      kind,
      messageId,
      requestTypeId: ctx.request_type_id,
    });
    await this.writer.tell(tx, organizationId, ctx.conversation_id, messageId, ({ conversation, message }) => [
      domainEvent('message.sent', organizationId, { conversation, message, newConversation: false, byAgentId: null }),
    ]);
  }

  private facts(ctx: AckContextRow): AckFacts {
    const token = trackingToken(this.config.appSecret, ctx.conversation_id);
    return {
      commune: ctx.organization_name,
      reference: ctx.reference,
      receivedAt: ctx.created_at,
      receivedDayOnly: !!ctx.first_channel_kind && CHANNEL_CAPABILITIES[ctx.first_channel_kind].postal,
      requestType: ctx.request_type_name ? { name: ctx.request_type_name, documents: ctx.request_type_documents ?? [] } : null,
      decisionRegime: ctx.decision_regime,
      decisionDueAt: ctx.decision_due_at,
      // The service's own contact, else the town hall's (R112-5: name, postal address, e-mail, phone).
      service: {
        name: ctx.team_name,
        address: ctx.team_contact?.address || ctx.organization_address,
        email: ctx.team_contact?.email || ctx.organization_email,
        phone: ctx.team_contact?.phone || ctx.organization_phone,
      },
      trackingUrl: `${this.config.publicUrl}/suivi/${ctx.reference}?token=${token}`,
    };
  }

  // ---- Settings (admins) ----

  async settings(organizationId: string): Promise<AcknowledgementSettingsDto> {
    const { saved, signReplies } = await this.repo.settings(organizationId);
    const templates = effectiveAckTemplates(saved.templates);
    const defaults = Object.fromEntries(ACK_TEMPLATE_NAMES.map((n) => [n, templates[n] === DEFAULT_ACK_TEMPLATES[n]])) as Record<
      AckTemplateName,
      boolean
    >;
    const teams = (await this.repo.teams(organizationId)).map((t) => ({ id: t.id, name: t.name, enabled: t.acknowledgements }));
    const requestTypeTemplates = await this.repo.requestTypeTemplates(organizationId);
    return { enabled: !!saved.enabled, signReplies, templates, defaults, teams, requestTypeTemplates };
  }

  async updateSettings(admin: AuthAgent, input: UpdateAcknowledgementSettingsInput) {
    const { saved, signReplies } = await this.repo.settings(admin.organizationId);
    const next: SavedAckSettings = { enabled: input.enabled ?? !!saved.enabled, templates: { ...(saved.templates ?? {}) } };
    for (const name of ACK_TEMPLATE_NAMES) {
      const v = input.templates?.[name];
      if (v === undefined) continue;
      // Saving the default text (or nothing) keeps following the default.
      if (!v.trim() || v === DEFAULT_ACK_TEMPLATES[name]) delete next.templates![name];
      else next.templates![name] = v;
    }
    await this.repo.saveSettings(admin.organizationId, next, input.signReplies ?? signReplies);
    await this.audit.record({
      organizationId: admin.organizationId,
      agentId: admin.id,
      action: 'organization.updated',
      data: {
        acknowledgements: { enabled: next.enabled, templates: Object.keys(next.templates ?? {}) },
        signReplies: input.signReplies ?? signReplies,
      },
    });
    return this.settings(admin.organizationId);
  }

  /** A démarche's own accusés de réception: a text replaces the organization's of that kind, an empty one gives it back. */
  async setRequestTypeTemplates(admin: AuthAgent, requestTypeId: string, input: UpdateRequestTypeAcknowledgementInput) {
    const set: RequestTypeAckTemplates = {};
    const remove: RequestTypeAckTemplateName[] = [];
    for (const name of REQUEST_TYPE_ACK_TEMPLATE_NAMES) {
      const v = input.templates[name];
      if (v === undefined) continue;
      if (v.trim()) set[name] = v;
      else remove.push(name);
    }
    if (!(await this.repo.updateRequestTypeTemplates(admin.organizationId, requestTypeId, set, remove)))
      throw notFound('démarche');
    await this.audit.record({
      organizationId: admin.organizationId,
      agentId: admin.id,
      action: 'organization.updated',
      data: { acknowledgements: { requestTypeId, templates: Object.keys(set), removed: remove } },
    });
    return this.settings(admin.organizationId);
  }

  async setTeamEnabled(admin: AuthAgent, teamId: string, enabled: boolean) {
    if (!(await this.repo.setTeamEnabled(admin.organizationId, teamId, enabled))) throw notFound('service');
    await this.audit.record({
      organizationId: admin.organizationId,
      agentId: admin.id,
      action: 'organization.updated',
      data: { acknowledgements: { teamId, enabled } },
    });
    return this.settings(admin.organizationId);
  }
}
