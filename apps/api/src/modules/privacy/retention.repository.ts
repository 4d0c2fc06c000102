import { Injectable } from '@nestjs/common';
import {
  DEFAULT_EVENT_REGISTRATION_RETENTION_DAYS,
  DEFAULT_QUARANTINE_RETENTION_DAYS,
  type RetentionAction,
  type RetentionRuleDto,
  type RetentionRuleInput,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { QUEUES } from '../../infra/jobs/job-queue';
import type { QuarantinedMail } from '../email/mailbox-copies.service';
import type { RegisterRestrictions } from './processing-register';

/** The mailbox events that keep a delivery report about nothing Guichet sent (raw source and diagnostic). */
const MAIL_REPORT_KINDS = `'unmatched-bounce', 'delivery-report'`;

/** A conversation past its retention rule, locked for the batch that anonymizes or deletes it. */
export interface DueConversation {
  id: string;
  organization_id: string;
  contact_id: string;
  rule_id: string | null;
  action: RetentionAction;
}

export interface HeldConversation {
  id: string;
  reference: string;
  legal_hold_reason: string;
}

/**
 * SQL of retention and erasure (RGPD, issue 16): the rules, the conversations past them, and the
 * statements that empty a conversation of everything personal while keeping what reports count
 * (dates, status, service, channel kind, request type, reference, due dates, satisfaction).
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: Database) {}

  rules(organizationId: string): Promise<RetentionRuleDto[]> {
    return this.db.query<RetentionRuleDto>(
      `SELECT r.id, r.team_id AS "teamId", t.name AS "teamName", r.request_type_id AS "requestTypeId",
              rt.name AS "requestTypeName", r.duration_days AS "durationDays", r.legal_basis AS "legalBasis",
              r.purpose, r.action, to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
         FROM retention_rule r
         LEFT JOIN team t ON t.id = r.team_id
         LEFT JOIN request_type rt ON rt.id = r.request_type_id
        WHERE r.organization_id = $1
        ORDER BY t.name NULLS FIRST, rt.name NULLS FIRST`,
      [organizationId],
    );
  }

  /** What the register of processing activities is generated from, besides the rules. */
  async registerFacts(organizationId: string): Promise<{
    organization: { name: string; address: string; phone: string; email: string; website: string };
    teams: string[];
    channels: string[];
    restrictions: RegisterRestrictions;
  }> {
    const [organization] = await this.db.query<{ name: string; address: string; phone: string; email: string; website: string }>(
      `SELECT name, address, phone, email, website FROM organization WHERE id = $1`,
      [organizationId],
    );
    const teams = await this.db.query<{ name: string }>(`SELECT name FROM team WHERE organization_id = $1 ORDER BY name`, [
      organizationId,
    ]);
    const channels = await this.db.query<{ kind: string }>(
      `SELECT DISTINCT kind FROM channel WHERE organization_id = $1 AND enabled ORDER BY kind`,
      [organizationId],
    );
    // How many limitations and objections are in force, and lifted: counts only (who and why stay in their files).
    const [restrictions] = await this.db.query<RegisterRestrictions>(
      `SELECT count(*) FILTER (WHERE kind = 'limitation' AND lifted_at IS NULL)::int AS "limitationsInForce",
              count(*) FILTER (WHERE kind = 'objection' AND lifted_at IS NULL)::int AS "objectionsInForce",
              count(*) FILTER (WHERE lifted_at IS NOT NULL)::int AS lifted
         FROM processing_restriction WHERE organization_id = $1`,
      [organizationId],
    );
    return {
      organization: organization!,
      teams: teams.map((t) => t.name),
      channels: channels.map((c) => c.kind),
      restrictions: restrictions!,
    };
  }

  /** The organization's services and request types (id → service), to check a set of rules. */
  async scopes(organizationId: string, m?: EntityManager): Promise<{ teams: Set<string>; types: Map<string, string> }> {
    const teams = await this.db.query<{ id: string }>(`SELECT id FROM team WHERE organization_id = $1`, [organizationId], m);
    const types = await this.db.query<{ id: string; team_id: string }>(
      `SELECT id, team_id FROM request_type WHERE organization_id = $1`,
      [organizationId],
      m,
    );
    return { teams: new Set(teams.map((t) => t.id)), types: new Map(types.map((t) => [t.id, t.team_id])) };
  }

  /** Replaces the organization's rules (rules left unchanged keep their id and date). */
  async replaceRules(m: EntityManager, organizationId: string, rules: RetentionRuleInput[]): Promise<void> {
    await this.db.query(
      `DELETE FROM retention_rule r WHERE r.organization_id = $1
          AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::uuid[]) AS k(team_id, request_type_id)
                           WHERE k.team_id IS NOT DISTINCT FROM r.team_id AND k.request_type_id IS NOT DISTINCT FROM r.request_type_id)`,
      [organizationId, rules.map((r) => r.teamId), rules.map((r) => r.requestTypeId)],
      m,
    );
    await this.db.query(
      `INSERT INTO retention_rule (organization_id, team_id, request_type_id, duration_days, legal_basis, purpose, action)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (organization_id, team_id, request_type_id) DO UPDATE
          SET duration_days = EXCLUDED.duration_days, legal_basis = EXCLUDED.legal_basis, purpose = EXCLUDED.purpose,
              action = EXCLUDED.action, updated_at = now()
        WHERE (retention_rule.duration_days, retention_rule.legal_basis, retention_rule.purpose, retention_rule.action)
              IS DISTINCT FROM (EXCLUDED.duration_days, EXCLUDED.legal_basis, EXCLUDED.purpose, EXCLUDED.action)`,
      [
        organizationId,
        rules.map((r) => r.teamId),
        rules.map((r) => r.requestTypeId),
        rules.map((r) => r.durationDays),
        rules.map((r) => r.legalBasis),
        rules.map((r) => r.purpose),
        rules.map((r) => r.action),
      ],
      m,
    );
  }

  /**
   * How long the organization keeps its audit (months), its events' registrants after an event
   * (days) and a mail in a mailbox's quarantine (days).
   */
  async periods(
    organizationId: string,
  ): Promise<{ auditRetentionMonths: number; eventRegistrationRetentionDays: number; quarantineRetentionDays: number }> {
    const [row] = await this.db.query<{
      auditRetentionMonths: number;
      eventRegistrationRetentionDays: number;
      quarantineRetentionDays: number;
    }>(
      `SELECT audit_retention_months AS "auditRetentionMonths", event_registration_retention_days AS "eventRegistrationRetentionDays",
              quarantine_retention_days AS "quarantineRetentionDays"
         FROM organization WHERE id = $1`,
      [organizationId],
    );
    return (
      row ?? {
        auditRetentionMonths: 12,
        eventRegistrationRetentionDays: DEFAULT_EVENT_REGISTRATION_RETENTION_DAYS,
        quarantineRetentionDays: DEFAULT_QUARANTINE_RETENTION_DAYS,
      }
    );
  }

  /** Sets the periods given (an undefined one is left as it is). */
  async setPeriods(
    m: EntityManager,
    organizationId: string,
    p: { auditRetentionMonths?: number; eventRegistrationRetentionDays?: number; quarantineRetentionDays?: number },
  ): Promise<void> {
    await this.db.query(
      `UPDATE organization SET audit_retention_months = coalesce($2, audit_retention_months),
              event_registration_retention_days = coalesce($3, event_registration_retention_days),
              quarantine_retention_days = coalesce($4, quarantine_retention_days)
        WHERE id = $1`,
      [
        organizationId,
        p.auditRetentionMonths ?? null,
        p.eventRegistrationRetentionDays ?? null,
        p.quarantineRetentionDays ?? null,
      ],
      m,
    );
  }

  /**
   * Removes, by bounded batches, the quarantined mails (raw sources the import could not read)
   * older than their organization's period (organization.quarantine_retention_days), of one
   * organization or (null) all. Returns how many went in this batch, per organization.
   */
  purgeQuarantine(o: { organizationId: string | null; now: Date; limit: number }): Promise<Map<string, number>> {
    return this.purgePastQuarantinePeriod('quarantine', 'TRUE', o);
  }

  /**
   * The same for the delivery reports kept about nothing Guichet sent (a mailbox's
   * 'unmatched-bounce' and 'delivery-report' events: the report's raw source and diagnostic, which
   * name its recipient), kept as long as a quarantined mail.
   */
  purgeMailReports(o: { organizationId: string | null; now: Date; limit: number }): Promise<Map<string, number>> {
    return this.purgePastQuarantinePeriod('mailbox_event', `t.kind IN (${MAIL_REPORT_KINDS})`, o);
  }

  private async purgePastQuarantinePeriod(
    table: 'quarantine' | 'mailbox_event',
    only: string,
    o: { organizationId: string | null; now: Date; limit: number },
  ): Promise<Map<string, number>> {
    const rows = await this.db.query<{ organization_id: string; n: number }>(
      `WITH gone AS (
         DELETE FROM ${table} WHERE id IN (
           SELECT t.id FROM ${table} t JOIN organization o ON o.id = t.organization_id
            WHERE ${only} AND ($1::uuid IS NULL OR t.organization_id = $1)
              AND t.created_at < $2::timestamptz - make_interval(days => o.quarantine_retention_days)
            LIMIT $3)
         RETURNING organization_id)
       SELECT organization_id, count(*)::int AS n FROM gone GROUP BY organization_id`,
      [o.organizationId, o.now, o.limit],
    );
    return new Map(rows.map((r) => [r.organization_id, r.n]));
  }

  /**
   * Removes the delivery reports of the citizens' organization that name one of their e-mail
   * addresses (in the report's raw source, case aside, or its diagnostic), in the caller's
   * transaction, before an erasure or an anonymization removes the addresses. Returns how many went.
   */
  async dropMailReportsAbout(m: EntityManager, contactIds: string[]): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM mailbox_event e USING contact_identity i
          WHERE i.contact_id = ANY($1::uuid[]) AND i.kind = 'email'
            AND e.organization_id = i.organization_id AND e.kind IN (${MAIL_REPORT_KINDS})
            AND (strpos(lower(e.reason), lower(i.value)) > 0
                 OR (e.raw IS NOT NULL AND strpos(lower(encode(e.raw, 'escape')), lower(i.value)) > 0))
         RETURNING e.id)
       SELECT count(DISTINCT id)::int AS n FROM gone`,
      [contactIds],
      m,
    );
    return row?.n ?? 0;
  }

  /**
   * Removes the quarantined mails sent from these citizens' e-mail addresses (the addresses the
   * mail's headers name as its sender: quarantine.senders), in the caller's transaction, before
   * an erasure or an anonymization removes the addresses. Returns those that went (their raw
   * source finds the mailbox's copy: MailboxCopies).
   */
  dropQuarantinedFrom(m: EntityManager, contactIds: string[]): Promise<QuarantinedMail[]> {
    return this.db.query<QuarantinedMail>(
      `DELETE FROM quarantine q USING contact_identity i
        WHERE i.contact_id = ANY($1::uuid[]) AND i.kind = 'email'
          AND q.organization_id = i.organization_id AND i.value = ANY(q.senders)
       RETURNING q.organization_id AS "organizationId", q.channel_id AS "channelId", q.raw`,
      [contactIds],
      m,
    );
  }

  /**
   * Up to `limit` finished conversations past their most specific rule (request type, then
   * service, then the organization's default), never one on legal hold nor of a citizen whose data
   * is limited (RGPD art. 18: kept at their request, often for a claim). Not locked here: the
   * writer (ConversationWriter.erase) takes the citizens' identity locks first, then the rows, and
   * re-checks each; a file reopened or held meanwhile is left out, and a second run at the same
   * time finds the rows the first one did already anonymized.
   */
  due(m: EntityManager, o: { organizationId: string | null; now: Date; limit: number }): Promise<DueConversation[]> {
    return this.db.query<DueConversation>(
      `SELECT c.id, c.organization_id, c.contact_id, r.id AS rule_id, r.action
         FROM conversation c
         CROSS JOIN LATERAL (
           SELECT r.id, r.action, r.duration_days FROM retention_rule r
            WHERE r.organization_id = c.organization_id
              AND (r.team_id IS NULL OR r.team_id = c.team_id)
              AND (r.request_type_id IS NULL OR r.request_type_id = c.request_type_id)
            ORDER BY r.request_type_id IS NULL, r.team_id IS NULL
            LIMIT 1) r
        WHERE c.anonymized_at IS NULL AND c.status IN ('resolved', 'closed') AND c.legal_hold_at IS NULL
          AND ($1::uuid IS NULL OR c.organization_id = $1)
          AND NOT EXISTS (SELECT 1 FROM processing_restriction pr
                           WHERE pr.contact_id = c.contact_id AND pr.kind = 'limitation' AND pr.lifted_at IS NULL)
          AND c.resolved_at < $2::timestamptz - make_interval(days => r.duration_days)
        ORDER BY c.resolved_at
        LIMIT $3`,
      [o.organizationId, o.now, o.limit],
      m,
    );
  }

  /** A citizen's conversations for an erasure, locked; those on legal hold come back with their reason. */
  contactConversations(
    m: EntityManager,
    organizationId: string,
    contactId: string,
  ): Promise<(DueConversation & { reference: string; legal_hold_reason: string | null; anonymized_at: Date | null })[]> {
    return this.db.query(
      `SELECT id, organization_id, contact_id, NULL AS rule_id, 'anonymize' AS action, reference, legal_hold_reason, anonymized_at
         FROM conversation WHERE organization_id = $1 AND contact_id = $2
        ORDER BY created_at
          FOR UPDATE`,
      [organizationId, contactId],
      m,
    );
  }

  async lockContact(m: EntityManager, organizationId: string, contactId: string): Promise<{ anonymized_at: Date | null } | null> {
    const [row] = await this.db.query<{ anonymized_at: Date | null }>(
      `SELECT anonymized_at FROM contact WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, contactId],
      m,
    );
    return row ?? null;
  }

  /**
   * What other features keep of these conversations' content, removed before the writer empties
   * or deletes them: raw copies of e-mails Guichet kept beside their messages (duplicates,
   * reports), and the free-text comment of a satisfaction answer (its score stays, for reports).
   */
  async dropCopies(m: EntityManager, ids: string[]): Promise<void> {
    await this.db.query(
      `DELETE FROM mailbox_event e USING message ms
        WHERE ms.conversation_id = ANY($1::uuid[]) AND ms.external_id IS NOT NULL
          AND e.channel_id = ms.channel_id AND e.external_id = ms.external_id`,
      [ids],
      m,
    );
    await this.db.query(`UPDATE satisfaction_survey SET comment = NULL WHERE conversation_id = ANY($1::uuid[])`, [ids], m);
  }

  /**
   * Finished jobs of the domain-events queue (pg-boss keeps them a week after they ran) carry the
   * events they delivered, texts and names included: those about a conversation anonymized or
   * deleted go. `ids`: these conversations (an erasure, in its transaction); null: every anonymized
   * or deleted one, in one pass over the finished jobs (a retention run's last step; what a crash
   * left is caught by the next run). A job still to run is left to do its work.
   */
  async dropDeliveredEvents(ids: string[] | null, m?: EntityManager): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM pgboss.job j
          WHERE j.name = $1 AND j.state IN ('completed', 'cancelled', 'failed')
            AND EXISTS (
              SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(j.data->'events') = 'array' THEN j.data->'events'
                                                      ELSE jsonb_build_array(j.data->'event') END) e
               WHERE e->>'conversationId' IS NOT NULL
                 AND CASE WHEN $2::uuid[] IS NULL
                          THEN NOT EXISTS (SELECT 1 FROM conversation c
                                            WHERE c.id = (e->>'conversationId')::uuid AND c.anonymized_at IS NULL)
                          ELSE (e->>'conversationId')::uuid = ANY($2::uuid[]) END)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [QUEUES.domainEvents, ids],
      m,
    );
    return row!.n;
  }

  /**
   * Of these citizens, those no conversation needs any more (none left in their file) lose their
   * name and identities and are marked anonymized, and the mails from them a quarantine kept go.
   * Returns them, and those mails.
   */
  async anonymizeUnneededContacts(
    m: EntityManager,
    contactIds: string[],
    now: Date,
  ): Promise<{ ids: string[]; quarantined: QuarantinedMail[] }> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE contact ct SET name = NULL, avatar_url = NULL, anonymized_at = $2, updated_at = $2
        WHERE ct.id = ANY($1::uuid[]) AND ct.anonymized_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM conversation c WHERE c.contact_id = ct.id)
       RETURNING ct.id`,
      [contactIds, now],
      m,
    );
    const ids = rows.map((r) => r.id);
    if (!ids.length) return { ids, quarantined: [] };
    const quarantined = await this.dropQuarantinedFrom(m, ids);
    await this.dropMailReportsAbout(m, ids);
    await this.db.query(`DELETE FROM contact_identity WHERE contact_id = ANY($1::uuid[])`, [ids], m);
    return { ids, quarantined };
  }

  /** Legal hold: the conversation (any status), locked, with its service and hold. */
  async lockForHold(
    m: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<{
    id: string;
    team_id: string;
    contact_id: string;
    anonymized_at: Date | null;
    legal_hold_reason: string | null;
  } | null> {
    const [row] = await this.db.query<{
      id: string;
      team_id: string;
      contact_id: string;
      anonymized_at: Date | null;
      legal_hold_reason: string | null;
    }>(
      `SELECT id, team_id, contact_id, anonymized_at, legal_hold_reason FROM conversation WHERE organization_id = $1 AND id = $2 FOR UPDATE`,
      [organizationId, id],
      m,
    );
    return row ?? null;
  }
}
