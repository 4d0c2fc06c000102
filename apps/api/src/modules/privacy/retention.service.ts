import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type {
  LegalHoldDto,
  PutRetentionRulesInput,
  RetentionPurgeSummary,
  RetentionRuleDto,
  RetentionRunResult,
  RetentionSettingsDto,
} from '@guichet/contracts';
import { isManager, type AuthAgent } from '../../common/auth-agent';
import { Database } from '../../common/database';
import { AppError, badRequest, notFound } from '../../common/errors';
import { AuditRepository } from '../../infra/audit/audit.repository';
import { JobQueue } from '../../infra/jobs/job-queue';
import { OrphanBlobs } from '../blobs/orphan-blobs.service';
import { ConversationWriter, type WriterTx } from '../conversations/conversation-writer.service';
import { MailboxCopies } from '../email/mailbox-copies.service';
import { MunicipalEventService } from '../municipal-events/municipal-event.service';
import { registerCsv, registerHtml } from './processing-register';
import { RetentionRepository, type DueConversation } from './retention.repository';

const QUEUE = 'retention';
/** Every night at 02:15 (Europe/Paris), by one instance. */
const CRON = '15 2 * * *';
/** Conversations per transaction: a crash loses at most one batch's work, redone by the next run. */
export const RETENTION_BATCH = 200;
const AUDIT_PURGE_BATCH = 5_000;
/** Quarantined mails, or kept delivery reports, per statement (each holds a raw source: a few megabytes at most). */
const QUARANTINE_PURGE_BATCH = 500;
/** Past municipal events whose registrants one transaction anonymizes. */
const EVENTS_BATCH = 20;

/**
 * Retention (RGPD, issue 16): rules per organization, service and request type; a daily run
 * (and an admin's) anonymizes or deletes the finished conversations past their rule, by bounded
 * batches each committed with its audit rows, so a crash resumes where it stopped and a second run
 * finds nothing to do. Conversations on legal hold are never touched. The run also purges the
 * audit events older than the organization's audit period, and the quarantined mails and kept
 * delivery reports older than its quarantine period.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly db: Database,
    private readonly repo: RetentionRepository,
    private readonly audit: AuditRepository,
    private readonly blobs: OrphanBlobs,
    private readonly queue: JobQueue,
    private readonly writer: ConversationWriter,
    private readonly municipalEvents: MunicipalEventService,
    private readonly mailboxCopies: MailboxCopies,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.define(QUEUE, { retryLimit: 2, expireInSeconds: 4 * 3600, cron: CRON }, async () => {
      const r = await this.run({ organizationId: null, agentId: null });
      if (
        r.anonymized ||
        r.deleted ||
        r.registrationsAnonymized ||
        r.auditEventsPurged ||
        r.quarantinedMailsPurged ||
        r.mailReportsPurged ||
        r.deliveredEventsPurged
      )
        this.logger.log(
          `${r.anonymized} conversation(s) anonymisée(s), ${r.deleted} supprimée(s), ${r.registrationsAnonymized} inscription(s) à un événement anonymisée(s), ${r.auditEventsPurged} événement(s) d'audit purgé(s), ${r.quarantinedMailsPurged} courriel(s) en quarantaine, ${r.mailReportsPurged} rapport(s) de remise et ${r.deliveredEventsPurged} travaux d'événements livrés supprimés`,
        );
    });
  }

  async settings(agent: AuthAgent): Promise<RetentionSettingsDto> {
    const [rules, periods] = await Promise.all([this.repo.rules(agent.organizationId), this.repo.periods(agent.organizationId)]);
    return { rules, ...periods };
  }

  /** The register of processing activities (RGPD art. 30), generated from the configuration as it stands. */
  async register(agent: AuthAgent, format: 'html' | 'csv'): Promise<{ fileName: string; contentType: string; body: string }> {
    const [facts, rules, periods] = await Promise.all([
      this.repo.registerFacts(agent.organizationId),
      this.repo.rules(agent.organizationId),
      this.repo.periods(agent.organizationId),
    ]);
    const f = { ...facts, rules, ...periods, generatedAt: new Date() };
    await this.audit.record({
      organizationId: agent.organizationId,
      agentId: agent.id,
      action: 'processing_register.downloaded',
      data: { format },
    });
    const date = f.generatedAt.toISOString().slice(0, 10);
    return format === 'csv'
      ? { fileName: `registre-traitements-${date}.csv`, contentType: 'text/csv; charset=utf-8', body: registerCsv(f) }
      : { fileName: `registre-traitements-${date}.html`, contentType: 'text/html; charset=utf-8', body: registerHtml(f) };
  }

  /** The rules as the citizens' personal-data page shows them (no access check: they are public). */
  publicRules(organizationId: string): Promise<RetentionRuleDto[]> {
    return this.repo.rules(organizationId);
  }

  /** Admins replace the whole set; each rule names a service of theirs and one of its request types. */
  async replace(agent: AuthAgent, input: PutRetentionRulesInput): Promise<RetentionSettingsDto> {
    await this.db.tx(async (m) => {
      const { teams, types } = await this.repo.scopes(agent.organizationId, m);
      const seen = new Set<string>();
      const details: string[] = [];
      input.rules.forEach((r, i) => {
        if (r.teamId && !teams.has(r.teamId)) details.push(`rules.${i}.teamId: service inconnu`);
        if (r.requestTypeId && types.get(r.requestTypeId) !== r.teamId)
          details.push(`rules.${i}.requestTypeId: démarche inconnue dans ce service`);
        const key = `${r.teamId ?? '-'}/${r.requestTypeId ?? '-'}`;
        if (seen.has(key)) details.push(`rules.${i}: une autre règle porte déjà sur ce périmètre`);
        seen.add(key);
      });
      if (details.length) throw badRequest('règles de conservation invalides', details);
      await this.repo.replaceRules(m, agent.organizationId, input.rules);
      await this.repo.setPeriods(m, agent.organizationId, input);
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: 'retention_rules.updated',
          data: {
            rules: input.rules.length,
            auditRetentionMonths: input.auditRetentionMonths ?? null,
            eventRegistrationRetentionDays: input.eventRegistrationRetentionDays ?? null,
            quarantineRetentionDays: input.quarantineRetentionDays ?? null,
          },
        },
        m,
      );
    });
    return this.settings(agent);
  }

  /**
   * One run: batches until no conversation is past its rule, the registrants of past events, then
   * the quarantined mails and the audit events past their periods. `organizationId` null runs for
   * every organization (the nightly job). Each organization the run touched gets one `audit.purged`
   * event saying what went, by rule, with the run's id (its per-conversation events carry it too).
   */
  async run(o: { organizationId: string | null; agentId: string | null; now?: Date }): Promise<RetentionRunResult> {
    const runId = randomUUID();
    const result: RetentionRunResult = {
      anonymized: 0,
      deleted: 0,
      contactsAnonymized: 0,
      registrationsAnonymized: 0,
      auditEventsPurged: 0,
      quarantinedMailsPurged: 0,
      mailReportsPurged: 0,
      deliveredEventsPurged: 0,
    };
    const summaries = new Map<string, RetentionPurgeSummary>();
    const summaryOf = (organizationId: string) => {
      let s = summaries.get(organizationId);
      if (!s) {
        s = {
          runId,
          rules: [],
          conversationsAnonymized: 0,
          conversationsDeleted: 0,
          contactsAnonymized: 0,
          auditEventsPurged: 0,
          quarantinedMailsPurged: 0,
          mailReportsPurged: 0,
          batches: 0,
        };
        summaries.set(organizationId, s);
      }
      return s;
    };
    for (;;) {
      const now = o.now ?? new Date();
      const batch = await this.writer.tx(async (tx) => {
        const due = await this.repo.due(tx.m, { organizationId: o.organizationId, now, limit: RETENTION_BATCH });
        if (!due.length) return null;
        const done = await this.apply(tx, due, now, o.agentId, 'retention', runId);
        const doneIds = new Set(done.doneIds);
        return { count: due.length, done, applied: due.filter((d) => doneIds.has(d.id)) };
      });
      if (!batch) break;
      // Counted once committed.
      const { count, done, applied } = batch;
      result.anonymized += done.anonymized;
      result.deleted += done.deleted;
      result.contactsAnonymized += done.contacts;
      for (const organizationId of new Set(applied.map((r) => r.organization_id))) summaryOf(organizationId).batches++;
      for (const r of applied) {
        const s = summaryOf(r.organization_id);
        let rule = s.rules.find((x) => x.ruleId === r.rule_id);
        if (!rule) s.rules.push((rule = { ruleId: r.rule_id, anonymized: 0, deleted: 0 }));
        if (r.action === 'delete') {
          rule.deleted++;
          s.conversationsDeleted++;
        } else {
          rule.anonymized++;
          s.conversationsAnonymized++;
        }
      }
      for (const [organizationId, n] of done.contactsByOrganization) summaryOf(organizationId).contactsAnonymized += n;
      if (done.blobs.length) await this.blobs.release(done.blobs);
      if (count < RETENTION_BATCH) break;
    }
    // What the event queue keeps of the files anonymized or deleted (by this run or an earlier one).
    result.deliveredEventsPurged = await this.repo.dropDeliveredEvents(null);
    // Registrants of past municipal events, a few events per transaction (each locked as a registration locks it).
    for (;;) {
      const now = o.now ?? new Date();
      const done = await this.db.tx((m) =>
        this.municipalEvents.anonymizePastRegistrants(m, {
          organizationId: o.organizationId,
          now,
          limit: EVENTS_BATCH,
          agentId: o.agentId,
        }),
      );
      result.registrationsAnonymized += done.registrations;
      if (done.events < EVENTS_BATCH) break;
    }
    const purge = async (
      batch: () => Promise<Map<string, number>>,
      key: 'quarantinedMailsPurged' | 'mailReportsPurged' | 'auditEventsPurged',
      size: number,
    ) => {
      for (;;) {
        const gone = await batch();
        let n = 0;
        for (const [organizationId, count] of gone) {
          summaryOf(organizationId)[key] += count;
          n += count;
        }
        result[key] += n;
        if (n < size) break;
      }
    };
    await purge(
      () =>
        this.repo.purgeQuarantine({ organizationId: o.organizationId, now: o.now ?? new Date(), limit: QUARANTINE_PURGE_BATCH }),
      'quarantinedMailsPurged',
      QUARANTINE_PURGE_BATCH,
    );
    await purge(
      () =>
        this.repo.purgeMailReports({ organizationId: o.organizationId, now: o.now ?? new Date(), limit: QUARANTINE_PURGE_BATCH }),
      'mailReportsPurged',
      QUARANTINE_PURGE_BATCH,
    );
    await purge(
      () => this.audit.purgeBatch(o.organizationId, o.now ?? new Date(), AUDIT_PURGE_BATCH),
      'auditEventsPurged',
      AUDIT_PURGE_BATCH,
    );
    await this.db.tx((m) =>
      this.audit.recordMany(
        [
          ...[...summaries].map(([organizationId, data]) => ({
            organizationId,
            agentId: o.agentId,
            action: 'audit.purged' as const,
            data: { ...data },
          })),
          ...(o.organizationId
            ? [
                {
                  organizationId: o.organizationId,
                  agentId: o.agentId,
                  action: 'retention.run' as const,
                  data: { ...result, runId },
                },
              ]
            : []),
        ],
        m,
      ),
    );
    return result;
  }

  /**
   * Anonymizes (or deletes, as their rule says) these conversations through the writer
   * (ConversationWriter.erase: the citizens' identity locks, then the rows, each re-checked) in the
   * caller's transaction, with one audit row each; the citizens none of whose conversations still
   * needs them are anonymized too, under the identity locks the writer holds. Retention touches
   * finished files only; an erasure any file of the citizen. The removal of their mails' copies
   * from the mailboxes is queued in the same transaction (MailboxCopies). Returns the blobs to
   * release after commit.
   */
  async apply(
    tx: WriterTx,
    rows: DueConversation[],
    now: Date,
    agentId: string | null,
    cause: 'retention' | 'erasure',
    runId?: string,
  ): Promise<{
    anonymized: number;
    deleted: number;
    contacts: number;
    contactsByOrganization: Map<string, number>;
    blobs: string[];
    doneIds: string[];
  }> {
    const mailboxJob = { cause, runId, contactId: cause === 'erasure' ? rows[0]?.contact_id : undefined };
    const { done, blobs } = await this.writer.erase(
      tx,
      rows.map((r) => ({ id: r.id, organizationId: r.organization_id, contactId: r.contact_id, action: r.action })),
      {
        now,
        finishedOnly: cause === 'retention',
        alongside: async (ids) => {
          await this.repo.dropCopies(tx.m, ids);
          // The mailbox's copies of their mails, removed after the commit (a job of this transaction).
          await this.mailboxCopies.queueRemoval(tx.m, ids, mailboxJob);
        },
      },
    );
    const doneIds = new Set(done.map((d) => d.id));
    const applied = rows.filter((r) => doneIds.has(r.id));
    const { ids: contacts, quarantined } = applied.length
      ? await this.repo.anonymizeUnneededContacts(tx.m, [...new Set(applied.map((r) => r.contact_id))], now)
      : { ids: [], quarantined: [] };
    await this.mailboxCopies.queueQuarantinedRemoval(tx.m, quarantined, mailboxJob);
    const orgOfContact = new Map(applied.map((r) => [r.contact_id, r.organization_id]));
    const contactsByOrganization = new Map<string, number>();
    for (const id of contacts) {
      const org = orgOfContact.get(id)!;
      contactsByOrganization.set(org, (contactsByOrganization.get(org) ?? 0) + 1);
    }
    const run = runId ? { runId } : {};
    await this.audit.recordMany(
      [
        ...applied.map((r) => ({
          organizationId: r.organization_id,
          agentId,
          action: r.action === 'delete' ? ('conversation.deleted' as const) : ('conversation.anonymized' as const),
          conversationId: r.id,
          contactId: r.contact_id,
          data: { cause, ruleId: r.rule_id, ...run },
        })),
        ...contacts.map((id) => ({
          organizationId: orgOfContact.get(id)!,
          agentId,
          action: 'contact.anonymized' as const,
          conversationId: null,
          contactId: id,
          data: { cause, ...run },
        })),
      ],
      tx.m,
    );
    const deleted = applied.filter((r) => r.action === 'delete').length;
    return {
      anonymized: applied.length - deleted,
      deleted,
      contacts: contacts.length,
      contactsByOrganization,
      blobs,
      doneIds: [...doneIds],
    };
  }

  /** A supervisor (of the conversation's service) or an admin keeps a file out of retention, with the reason. */
  async setHold(agent: AuthAgent, conversationId: string, reason: string | null): Promise<LegalHoldDto> {
    return this.writer.tx(async (tx) => {
      const { m } = tx;
      const c = await this.repo.lockForHold(m, agent.organizationId, conversationId);
      if (!c || !isManager(agent)) throw notFound('conversation');
      if (agent.role === 'supervisor' && agent.teamIds.length && !agent.teamIds.includes(c.team_id))
        throw new AppError('forbidden', 'ce dossier appartient à un service que vous ne supervisez pas');
      if (c.anonymized_at) throw new AppError('conflict', 'ce dossier est déjà anonymisé : plus rien à conserver');
      const at = await this.writer.setLegalHold(tx, c.id, reason === null ? null : { reason, agentId: agent.id });
      await this.audit.record(
        {
          organizationId: agent.organizationId,
          agentId: agent.id,
          action: reason === null ? 'conversation.legal_hold_lifted' : 'conversation.legal_hold_set',
          conversationId: c.id,
          contactId: c.contact_id,
          data: reason === null ? { previousReason: c.legal_hold_reason } : { reason },
        },
        m,
      );
      return {
        conversationId: c.id,
        reason,
        at: at ? at.toISOString() : null,
        byAgentId: reason === null ? null : agent.id,
      };
    });
  }
}
