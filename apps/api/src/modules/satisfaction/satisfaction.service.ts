import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  ACKNOWLEDGED_CHANNELS,
  CHANNEL_CAPABILITIES,
  CHANNEL_IDENTITY,
  SATISFACTION_QUESTION,
  type SatisfactionAnswerInput,
  type SatisfactionSettingsDto,
  type SatisfactionSettingsInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AfterCommit } from '../../common/database';
import type { AuthAgent } from '../../common/auth-agent';
import { AppError, conflict, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { domainEvent } from '../events/domain-events';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { SatisfactionRepository, type SurveyContextRow, type SurveyPageRow, type SurveyRow } from './satisfaction.repository';
import { readSurveyToken, surveyPath, surveyToken, SURVEY_TTL_DAYS } from './survey-token';
import { surveyAnswerLine, surveyInvitation } from './survey-texts';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';

/** Why a resolved file gets no survey (kept on its row). */
export type SurveySkipReason =
  | 'no-answer' // resolved or closed without any answer from the town hall (spam, duplicates…)
  | 'channel' // the citizen only called, or wrote on no channel a survey can go out on
  | 'channel-disabled'
  | 'opted-out' // STOP on that channel
  | 'limitation' // the citizen's data is limited (RGPD art. 18)
  | 'objection' // the citizen objected to this processing (RGPD art. 21)
  | 'no-identity'
  | 'reopened' // written back before a delayed survey went out (decided again at the next resolution)
  | 'off'; // the service turned surveys off before a delayed one went out

/** What the citizen's page shows of a survey. */
export type SurveyView =
  | { state: 'open'; survey: SurveyPageRow; question: string }
  | { state: 'answered'; survey: SurveyPageRow }
  | { state: 'expired' }
  | { state: 'invalid' };

const SEND_DUE_QUEUE = 'satisfaction-surveys';
const DUE_BATCH = 200;

/**
 * The satisfaction survey of issue 15. When a file is resolved, its service's setting decides:
 * nothing (off), the survey at once (on) or `delayHours` later (delay). One row per conversation
 * (unique) records the decision, so a file gets at most one survey whatever re-runs and
 * re-resolutions happen; it goes out on the channel the citizen last wrote on, through the
 * conversation writer and the outbound pipeline, never to an identity that said STOP, never for
 * a file closed without an answer. The citizen answers once, without an account, through a
 * signed expiring link (survey-token.ts); the answer goes to the conversation (its `satisfaction`,
 * a line in the timeline) and, through `conversation.updated`, to the report aggregates.
 */
@Injectable()
export class SatisfactionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Satisfaction');

  constructor(
    private readonly repo: SatisfactionRepository,
    private readonly writer: ConversationWriter,
    private readonly queue: JobQueue,
    private readonly audit: AuditRepository,
    private readonly restrictions: ProcessingRestrictions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Delayed surveys go out from a per-minute job (one instance fires it). */
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(SEND_DUE_QUEUE, { cron: '* * * * *', expireInSeconds: 300 }, () =>
      this.sendDue().then(() => undefined),
    );
  }

  /** A file was resolved: decide its survey (idempotent; nothing more once one was sent). */
  async onResolved(m: EntityManager, afterCommit: AfterCommit, organizationId: string, conversationId: string): Promise<void> {
    const ctx = await this.repo.context(m, organizationId, conversationId);
    if (!ctx || ctx.status !== 'resolved') return;
    const existing = await this.repo.forConversation(m, conversationId);
    if (existing && (existing.status === 'sent' || existing.status === 'answered')) return;
    if (ctx.mode === 'off') {
      if (existing?.status === 'scheduled') await this.repo.markSkipped(m, existing.id, 'off');
      return;
    }
    const skip = await this.skipReason(m, ctx);
    const now = Date.now();
    const sendAt = new Date(ctx.mode === 'delay' ? now + ctx.delay_hours * 3600_000 : now);
    const row = await this.repo.upsert(m, {
      organizationId,
      conversationId,
      channelId: ctx.channel_id,
      channelKind: ctx.channel_kind,
      status: skip ? 'skipped' : 'scheduled',
      reason: skip,
      sendAt,
      expiresAt: new Date(sendAt.getTime() + SURVEY_TTL_DAYS * 86400_000),
    });
    if (row && !skip && ctx.mode === 'on') await this.send({ m, afterCommit }, ctx, row);
  }

  /** The delayed surveys whose time has come; each under its conversation's lock. Returns how many went out. */
  async sendDue(): Promise<number> {
    let sent = 0;
    for (const due of await this.repo.due(DUE_BATCH)) {
      try {
        const went = await this.writer.tx(async (tx) => {
          const ctx = await this.repo.context(tx.m, due.organization_id, due.conversation_id);
          const row = await this.repo.forConversation(tx.m, due.conversation_id);
          if (!ctx || !row || row.status !== 'scheduled' || row.send_at.getTime() > Date.now()) return false;
          const skip: SurveySkipReason | null =
            ctx.mode === 'off' ? 'off' : ctx.status !== 'resolved' ? 'reopened' : await this.skipReason(tx.m, ctx);
          if (skip) {
            await this.repo.markSkipped(tx.m, row.id, skip);
            return false;
          }
          await this.send(tx, ctx, row);
          return true;
        });
        if (went) sent++;
      } catch (e) {
        this.logger.error(`enquête de ${due.conversation_id} : ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return sent;
  }

  private async skipReason(m: EntityManager, ctx: SurveyContextRow): Promise<SurveySkipReason | null> {
    // A survey is not needed to answer the citizen: none once they objected (art. 21) or are limited (art. 18).
    const withheld = await this.restrictions.withheld(ctx.contact_id, m);
    if (withheld) return withheld;
    if (!ctx.first_response_at) return 'no-answer';
    if (!ctx.channel_id || !ctx.channel_kind || !ACKNOWLEDGED_CHANNELS[ctx.channel_kind]) return 'channel';
    // A survey is a link to click: none by paper mail.
    if (CHANNEL_CAPABILITIES[ctx.channel_kind].postal) return 'channel';
    if (!ctx.channel_enabled) return 'channel-disabled';
    const kind = CHANNEL_IDENTITY[ctx.channel_kind];
    if (!kind) return null;
    const opted = await this.repo.optedOut(m, ctx.contact_id, kind);
    if (opted === null) return 'no-identity';
    return opted ? 'opted-out' : null;
  }

  private async send(tx: WriterTx, ctx: SurveyContextRow, row: SurveyRow): Promise<void> {
    const organizationId = ctx.organization_id;
    // Whole seconds: the token carries the expiry as seconds, the row must say the same.
    const expiresAt = new Date(Math.floor((Date.now() + SURVEY_TTL_DAYS * 86400_000) / 1000) * 1000);
    const url = this.surveyUrl(row.id, expiresAt);
    const body = surveyInvitation(ACKNOWLEDGED_CHANNELS[ctx.channel_kind!]!, {
      commune: ctx.organization_name,
      reference: ctx.reference,
      service: ctx.team_name,
      url,
      expiresAt,
    });
    const messageId = await this.writer.insertMessage(tx, {
      organizationId,
      conversationId: ctx.conversation_id,
      direction: 'outbound',
      kind: 'message',
      channelId: ctx.channel_id,
      authorAgentId: null,
      body,
      status: 'queued',
      meta: { survey: 'invitation' },
    });
    await this.queue.sendInTx(tx.m, QUEUES.outboundSend, { messageId, organizationId });
    await this.repo.markSent(tx.m, row.id, { messageId, expiresAt });
    await this.writer.tell(tx, organizationId, ctx.conversation_id, messageId, ({ conversation, message }) => [
      domainEvent('message.sent', organizationId, { conversation, message, newConversation: false, byAgentId: null }),
    ]);
  }

  surveyUrl(surveyId: string, expiresAt: Date): string {
    return `${this.config.publicUrl}${surveyPath(surveyToken(this.config.appSecret, surveyId, expiresAt))}`;
  }

  /** The link the tracking page offers while the survey is open. */
  async trackingLink(conversationId: string): Promise<{ url: string } | null> {
    const open = await this.repo.openForConversation(conversationId);
    return open ? { url: this.surveyUrl(open.id, open.expires_at) } : null;
  }

  // ---- The citizen's side (no account: the signed link) ----

  async view(token: unknown): Promise<SurveyView> {
    const check = readSurveyToken(this.config.appSecret, token);
    if (!check.ok) return { state: check.reason };
    const survey = await this.repo.page(check.surveyId);
    if (!survey || survey.expires_at.getTime() !== check.expiresAt.getTime()) return { state: 'invalid' };
    if (survey.status === 'answered') return { state: 'answered', survey };
    if (survey.status !== 'sent') return { state: 'invalid' };
    return { state: 'open', survey, question: SATISFACTION_QUESTION };
  }

  /** The citizen's answer: once, before the link expires; the score and a line go to the file. */
  async answer(token: unknown, input: SatisfactionAnswerInput): Promise<{ score: number }> {
    const check = readSurveyToken(this.config.appSecret, token);
    if (!check.ok) throw check.reason === 'expired' ? expired() : notFound('questionnaire');
    return this.writer.tx(async (tx) => {
      const survey = await this.repo.page(check.surveyId, tx.m, true);
      if (!survey || survey.expires_at.getTime() !== check.expiresAt.getTime()) throw notFound('questionnaire');
      if (survey.status === 'answered') throw conflict('vous avez déjà donné votre avis sur cette demande');
      if (survey.status !== 'sent') throw notFound('questionnaire');
      if (survey.expires_at.getTime() <= Date.now()) throw expired();
      const organizationId = survey.organization_id;
      const comment = input.comment ?? null;
      const messageId = await this.writer.insertMessage(tx, {
        organizationId,
        conversationId: survey.conversation_id,
        direction: 'inbound',
        kind: 'event',
        channelId: survey.channel_id,
        authorAgentId: null,
        body: surveyAnswerLine(input.score, comment),
        status: 'received',
        meta: { survey: 'answer' },
      });
      await this.repo.saveAnswer(tx.m, survey.id, { score: input.score, comment, messageId });
      // The system's change (the version agents hold stays valid).
      await this.writer.updateConversation(tx, survey.conversation_id, { satisfaction: input.score }, true);
      await this.writer.tell(tx, organizationId, survey.conversation_id, messageId, ({ conversation, message }) => [
        domainEvent('message.received', organizationId, { conversation, message, newConversation: false }),
        domainEvent('conversation.updated', organizationId, { conversation, change: 'satisfaction' }),
      ]);
      return { score: input.score };
    });
  }

  // ---- Settings (per service) ----

  async settings(organizationId: string, teamId: string): Promise<SatisfactionSettingsDto> {
    const row = await this.repo.teamSettings(organizationId, teamId);
    if (!row) throw notFound('service');
    return { teamId, mode: row.mode, delayHours: row.delay_hours };
  }

  async updateSettings(admin: AuthAgent, teamId: string, input: SatisfactionSettingsInput): Promise<SatisfactionSettingsDto> {
    if (!(await this.repo.setTeamSettings(admin.organizationId, teamId, input.mode, input.delayHours))) throw notFound('service');
    await this.audit.record({
      organizationId: admin.organizationId,
      agentId: admin.id,
      action: 'team.updated',
      data: { teamId, satisfaction: { mode: input.mode, delayHours: input.delayHours } },
    });
    return this.settings(admin.organizationId, teamId);
  }
}

const expired = () => new AppError('conflict', 'ce lien a expiré : le questionnaire n’est plus ouvert');
