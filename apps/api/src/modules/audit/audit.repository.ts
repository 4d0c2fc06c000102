import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';
import { pgJson } from '../../common/pg-text';

export type AuditAction =
  | 'conversation.viewed'
  | 'conversation.updated'
  | 'conversation.replied'
  | 'conversation.noted'
  | 'conversation.call_logged'
  | 'contact.viewed'
  | 'contact.identity_added'
  | 'contact.identity_removed'
  | 'channel.created'
  | 'channel.updated'
  | 'agent.updated'
  | 'agent.password_changed';

/** Who did what to which conversation or citizen file, and who looked at which (RGPD access audit). */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async record(
    e: {
      organizationId: string;
      agentId: string | null;
      action: AuditAction;
      conversationId?: string | null;
      contactId?: string | null;
      data?: Record<string, unknown>;
    },
    manager?: EntityManager,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_event (organization_id, agent_id, action, conversation_id, contact_id, data) VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.organizationId, e.agentId, e.action, e.conversationId ?? null, e.contactId ?? null, e.data ? pgJson(e.data) : null],
      manager,
    );
  }
}
