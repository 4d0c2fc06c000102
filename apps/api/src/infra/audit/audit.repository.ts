import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { GroupCommit } from '../../common/group-commit';
import { pgJson } from '../../common/pg-text';

export type AuditAction =
  | 'conversation.viewed'
  | 'conversation.messages_read'
  | 'conversations.searched'
  | 'attachment.downloaded'
  | 'conversation.updated'
  | 'conversation.replied'
  | 'conversation.noted'
  | 'conversation.call_logged'
  | 'contact.viewed'
  | 'contact.identity_added'
  | 'contact.identity_removed'
  | 'channel.created'
  | 'channel.updated'
  | 'channel.quarantine_retried'
  | 'channel.quarantine_discarded'
  | 'channel.quarantine_downloaded'
  | 'agent.updated'
  | 'agent.password_changed'
  | 'agent.signed_in'
  | 'agent.created_at_sign_in'
  | 'session.revoked'
  | 'oidc_provider.created'
  | 'oidc_provider.updated'
  | 'oidc_provider.deleted'
  | 'agent.created'
  | 'agent.invitation_sent'
  | 'agent.password_reset_sent'
  | 'agent.password_set'
  | 'agent.renamed'
  | 'organization.created'
  | 'organization.logo_updated'
  | 'platform.organization_created'
  | 'agent.platform_admin_granted'
  | 'agent.platform_admin_revoked'
  | 'organization.updated'
  | 'organization.archived'
  | 'organization.unarchived'
  | 'organization.mail_updated'
  | 'team.created'
  | 'team.updated'
  | 'request_type.created'
  | 'request_type.updated'
  | 'municipal_event.created'
  | 'municipal_event.updated'
  | 'municipal_event.cancelled'
  | 'municipal_event.exported'
  | 'municipal_event.registrants_anonymized'
  | 'retention_rules.updated'
  | 'retention.run'
  | 'conversation.anonymized'
  | 'conversation.deleted'
  | 'conversation.legal_hold_set'
  | 'conversation.legal_hold_lifted'
  | 'contact.anonymized'
  | 'contact.erased'
  | 'contact.exported'
  | 'contact.merge_proposed'
  | 'contact.merge_rejected'
  | 'contact.merged'
  | 'contact.merge_undone'
  | 'audit.purged'
  | 'audit.exported'
  | 'conversation.rights_request_set'
  | 'conversation.rights_request_cleared'
  | 'conversation.rights_request_extended'
  | 'contact.export_sent'
  | 'contact.rectified'
  | 'processing_register.downloaded'
  | 'conversation.transferred_to_administration'
  | 'conversation.administration_transfer_withdrawn'
  | 'administration.created'
  | 'administration.updated'
  | 'administration.deleted'
  | 'canned_reply.created'
  | 'canned_reply.updated'
  | 'canned_reply.deleted'
  | 'label.created'
  | 'label.updated'
  | 'label.deleted'
  | 'routing_rule.created'
  | 'routing_rule.updated'
  | 'routing_rule.deleted'
  | 'routing_rules.reordered';

export interface AuditEntry {
  organizationId: string;
  agentId: string | null;
  action: AuditAction;
  conversationId?: string | null;
  contactId?: string | null;
  data?: Record<string, unknown>;
}

/** Who did what to which conversation or citizen file, and who looked at which (RGPD access audit). */
@Injectable()
export class AuditRepository {
  /** Access records arriving together (agents opening files, paging, searching) share one INSERT. */
  private readonly accesses = new GroupCommit<AuditEntry, void>(
    async (items) => {
      await this.db.query(
        `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::jsonb[])`,
        [
          items.map((e) => e.organizationId),
          items.map((e) => e.agentId),
          items.map((e) => e.action),
          items.map((e) => e.conversationId ?? null),
          items.map((e) => e.contactId ?? null),
          items.map((e) => (e.data ? pgJson(e.data) : null)),
        ],
      );
      return items.map(() => undefined);
    },
    { parallel: 2, maxBatch: 500 },
  );

  constructor(private readonly db: Database) {}

  /**
   * An access record (a view, a read, a download, a search). Callers await it alongside the
   * read it records (Promise.all), so it costs no added round trip, and nothing is answered
   * unless its record is written; concurrent records are written together (group commit).
   */
  recordAccess(e: AuditEntry): Promise<void> {
    return this.accesses.submit(e);
  }

  /**
   * Removes, by bounded batches, the audit events older than their organization's period
   * (organization.audit_retention_months). Returns how many went in this batch.
   */
  async purgeBatch(now: Date, limit: number): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM audit_event WHERE id IN (
         SELECT e.id FROM audit_event e JOIN organization o ON o.id = e.organization_id
          WHERE e.created_at < $1::timestamptz - make_interval(months => o.audit_retention_months)
          LIMIT $2)
       RETURNING id`,
      [now, limit],
    );
    return rows.length;
  }

  async record(e: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.organizationId, e.agentId, e.action, e.conversationId ?? null, e.contactId ?? null, e.data ? pgJson(e.data) : null],
      manager,
    );
  }
}
