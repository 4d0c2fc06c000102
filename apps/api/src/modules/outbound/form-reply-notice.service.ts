import { Inject, Injectable } from '@nestjs/common';
import type { FormReplyNotice, FormReplyNoticeDto, PublicRequestCreated } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import type { AfterCommit } from '../../common/database';
import { domainEvent } from '../events/domain-events';
import { ConversationWriter } from '../conversations/conversation-writer.service';
import { ChannelService } from '../channels/channel.service';
import { JobQueue, QUEUES } from '../../infra/jobs/job-queue';
import { trackingToken } from '../public/tracking-token';
import { OutboundRepository, type FormNoticeContext } from './outbound.repository';

export const FORM_NOTICE_MAIL_QUEUE = QUEUES.formNoticeMail;

export interface FormNoticeFacts {
  commune: string;
  reference: string;
  trackingUrl: string;
  /** The agent's reply (sent in full by e-mail when the organization chose `full`). */
  reply: string;
}

/** The SMS: short, GSM characters only (no typographic apostrophe), the link last. */
export function formNoticeSms(f: FormNoticeFacts): string {
  return `${f.commune} : la mairie a repondu a votre demande ${f.reference}. Lire la reponse : ${f.trackingUrl}`;
}

export function formNoticeMail(f: FormNoticeFacts, mode: FormReplyNotice): { subject: string; text: string } {
  const footer = [
    'Pour répondre, ou joindre un document, utilisez votre page de suivi :',
    f.trackingUrl,
    '',
    'Ce message est envoyé automatiquement : les réponses à cette adresse ne sont pas lues.',
  ];
  const text =
    mode === 'full'
      ? [
          'Bonjour,',
          '',
          `Voici la réponse de ${f.commune} à votre demande ${f.reference} :`,
          '',
          f.reply.trim(),
          '',
          '—',
          ...footer,
        ]
      : ['Bonjour,', '', `${f.commune} a répondu à votre demande ${f.reference}.`, '', ...footer];
  return { subject: formNoticeSubject(f.reference, f.commune), text: text.join('\n') };
}

export const formNoticeSubject = (reference: string, commune: string) => `Réponse à votre demande ${reference} — ${commune}`;

/**
 * Issue 21 item 5: the citizen of a web form request is told there is an answer. An agent's reply
 * on the form (published on the tracking page) also goes, as a message of its own in the thread,
 * to what the citizen typed in the form and can be used:
 * - their e-mail, through the organization's own outgoing mail when it has an SMTP server: a
 *   short notice with the tracking link, or the reply itself (`formReplyNotice: 'full'`);
 * - their phone, through the organization's SMS channel (the outbound worker and its Twilio
 *   adapter, so the provider's callbacks move it to « Distribué »), unless they said STOP.
 * Nothing is sent for a reply the agent sent on another channel (it is the answer itself).
 */
@Injectable()
export class FormReplyNotices {
  constructor(
    private readonly repo: OutboundRepository,
    private readonly writer: ConversationWriter,
    private readonly channels: ChannelService,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where a form's citizen will hear of an answer: the typed values only (nothing else of the citizen is disclosed). */
  async targets(
    m: EntityManager | undefined,
    organizationId: string,
    conversationId: string,
    typed: { email?: string; phone?: string } = {},
  ): Promise<PublicRequestCreated['notify']> {
    const ctx = await this.context(m, organizationId, conversationId);
    return {
      email: ctx?.email && ctx.email === typed.email ? ctx.email : null,
      sms: ctx?.phone && ctx.phone === typed.phone ? ctx.phone : null,
      full: ctx?.form_reply_notice === 'full',
    };
  }

  private async context(m: EntityManager | undefined, organizationId: string, conversationId: string) {
    const ctx = await this.repo.formNoticeContext(m, organizationId, conversationId);
    if (!ctx) return undefined;
    const sms = ctx.phone ? await this.channels.firstOfKind(organizationId, 'sms') : null;
    return { ...ctx, email: ctx.mail_smtp ? ctx.email : null, phone: sms ? ctx.phone : null, smsChannel: sms };
  }

  /** An agent's reply on the form was stored: queue the notices, in the caller's transaction. */
  async onFormReply(
    m: EntityManager,
    afterCommit: AfterCommit,
    organizationId: string,
    conversationId: string,
    reply: { id: string; body: string },
  ): Promise<void> {
    const ctx = await this.context(m, organizationId, conversationId);
    if (!ctx) return;
    const facts: FormNoticeFacts = {
      commune: ctx.organization_name,
      reference: ctx.reference,
      trackingUrl: `${this.config.publicUrl}/suivi/${ctx.reference}?token=${trackingToken(this.config.appSecret, conversationId)}`,
      reply: reply.body,
    };
    if (ctx.email) {
      const mail = formNoticeMail(facts, ctx.form_reply_notice);
      await this.record(m, afterCommit, ctx, null, mail.text, { via: 'email', to: ctx.email, replyId: reply.id });
    }
    if (ctx.phone && ctx.smsChannel) {
      await this.record(m, afterCommit, ctx, ctx.smsChannel.id, formNoticeSms(facts), {
        via: 'sms',
        to: ctx.phone,
        replyId: reply.id,
      });
    }
  }

  private async record(
    m: EntityManager,
    afterCommit: AfterCommit,
    ctx: FormNoticeContext,
    channelId: string | null,
    body: string,
    notice: FormReplyNoticeDto,
  ): Promise<void> {
    const tx = { m, afterCommit };
    const organizationId = ctx.organization_id;
    const messageId = await this.writer.insertMessage(tx, {
      organizationId,
      conversationId: ctx.conversation_id,
      direction: 'outbound',
      kind: 'message',
      channelId,
      authorAgentId: null,
      body,
      status: 'queued',
      meta: { formNotice: notice },
    });
    // The SMS through the channel adapters' worker; the e-mail through the organization's own mail.
    await this.queue.sendInTx(m, channelId ? QUEUES.outboundSend : FORM_NOTICE_MAIL_QUEUE, { messageId, organizationId });
    await this.writer.tell(tx, organizationId, ctx.conversation_id, messageId, ({ conversation, message }) => [
      domainEvent('message.sent', organizationId, { conversation, message, newConversation: false, byAgentId: null }),
    ]);
  }
}
