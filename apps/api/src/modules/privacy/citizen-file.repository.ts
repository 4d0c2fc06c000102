import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';

export interface FileContact {
  id: string;
  name: string | null;
  created_at: Date;
  anonymized_at: Date | null;
}
export interface FileIdentity {
  kind: string;
  value: string;
  created_at: Date;
  opted_out_at: Date | null;
}
export interface FileConversation {
  id: string;
  reference: string;
  status: string;
  subject: string | null;
  citizen_name: string | null;
  team: string;
  request_type: string | null;
  created_at: Date;
  resolved_at: Date | null;
  decision_due_at: Date | null;
  response_due_at: Date | null;
  anonymized_at: Date | null;
  legal_hold_reason: string | null;
}
export interface FileMessage {
  id: string;
  conversation_id: string;
  direction: string;
  kind: string;
  channel_kind: string | null;
  author: string | null;
  body: string;
  status: string;
  call: Record<string, unknown> | null;
  created_at: Date;
}
export interface FileAttachment {
  id: string;
  message_id: string;
  conversation_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
}
export interface FileSatisfaction {
  conversation_id: string;
  score: number;
  comment: string | null;
  answered_at: Date;
}
export interface FileView {
  action: string;
  created_at: Date;
  agent: string | null;
  conversation_id: string | null;
}

/** Everything Guichet holds on one citizen, for a right-of-access export (RGPD art. 15 and 20). */
@Injectable()
export class CitizenFileRepository {
  constructor(private readonly db: Database) {}

  async contact(organizationId: string, id: string): Promise<FileContact | null> {
    const [row] = await this.db.query<FileContact>(
      `SELECT id, name, created_at, anonymized_at FROM contact WHERE organization_id = $1 AND id = $2`,
      [organizationId, id],
    );
    return row ?? null;
  }

  identities(contactId: string): Promise<FileIdentity[]> {
    return this.db.query<FileIdentity>(
      `SELECT kind, value, created_at, opted_out_at FROM contact_identity WHERE contact_id = $1 ORDER BY created_at, id`,
      [contactId],
    );
  }

  conversations(organizationId: string, contactId: string): Promise<FileConversation[]> {
    return this.db.query<FileConversation>(
      `SELECT c.id, c.reference, c.status, c.subject, c.citizen_name, t.name AS team, rt.name AS request_type, c.created_at,
              c.resolved_at, c.decision_due_at, c.response_due_at, c.anonymized_at, c.legal_hold_reason
         FROM conversation c JOIN team t ON t.id = c.team_id LEFT JOIN request_type rt ON rt.id = c.request_type_id
        WHERE c.organization_id = $1 AND c.contact_id = $2
        ORDER BY c.created_at, c.id`,
      [organizationId, contactId],
    );
  }

  messages(conversationIds: string[]): Promise<FileMessage[]> {
    return this.db.query<FileMessage>(
      `SELECT m.id, m.conversation_id, m.direction, m.kind, ch.kind AS channel_kind, a.name AS author, m.body, m.status,
              m.meta->'call' AS call, m.created_at
         FROM message m LEFT JOIN channel ch ON ch.id = m.channel_id LEFT JOIN agent a ON a.id = m.author_agent_id
        WHERE m.conversation_id = ANY($1::uuid[])
        ORDER BY m.created_at, m.id`,
      [conversationIds],
    );
  }

  attachments(conversationIds: string[]): Promise<FileAttachment[]> {
    return this.db.query<FileAttachment>(
      `SELECT a.id, a.message_id, m.conversation_id, a.file_name, a.content_type, a.size, a.sha256
         FROM attachment a JOIN message m ON m.id = a.message_id
        WHERE m.conversation_id = ANY($1::uuid[])
        ORDER BY a.created_at, a.id`,
      [conversationIds],
    );
  }

  /** The citizen's answers to the satisfaction surveys of these conversations (score 0–10, comment, date). */
  satisfaction(conversationIds: string[]): Promise<FileSatisfaction[]> {
    return this.db.query<FileSatisfaction>(
      `SELECT conversation_id, score, comment, answered_at FROM satisfaction_survey
        WHERE conversation_id = ANY($1::uuid[]) AND answered_at IS NOT NULL AND score IS NOT NULL
        ORDER BY answered_at, id`,
      [conversationIds],
    );
  }

  /** Who looked at or changed this citizen's file and conversations, and when (the access audit). */
  views(organizationId: string, contactId: string, conversationIds: string[]): Promise<FileView[]> {
    return this.db.query<FileView>(
      `SELECT e.action, e.created_at, a.name AS agent, e.conversation_id
         FROM audit_event e LEFT JOIN agent a ON a.id = e.agent_id
        WHERE e.organization_id = $1 AND (e.contact_id = $2 OR e.conversation_id = ANY($3::uuid[]))
        ORDER BY e.id`,
      [organizationId, contactId, conversationIds],
    );
  }
}
