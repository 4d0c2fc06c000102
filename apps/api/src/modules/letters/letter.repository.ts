import { Injectable } from '@nestjs/common';
import type { AcknowledgementKind, ChannelKind, DeliveryStatus, LetterFactsDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

/** What a printed letter of the town hall is written from: the message, its file, the letterhead, the addressee. */
export interface PrintableLetterRow {
  id: string;
  body: string;
  status: DeliveryStatus;
  /** Why it will not be posted, when it was withdrawn (withdrawnAt): a request forwarded elsewhere. */
  error: string | null;
  withdrawn: boolean;
  direction: 'inbound' | 'outbound';
  kind: string;
  created_at: Date;
  acknowledgement: AcknowledgementKind | null;
  posted_at: string | null;
  channel_kind: ChannelKind | null;
  organization_id: string;
  team_id: string;
  assignee_id: string | null;
  contact_id: string;
  reference: string;
  subject: string | null;
  citizen_name: string | null;
  organization_name: string;
  organization_address: string;
  organization_phone: string;
  organization_email: string;
  team_name: string;
  team_contact: { email?: string; phone?: string; address?: string } | null;
  /** The letter the file began with (its sender's name and postal address), if it began with one. */
  letter: LetterFactsDto | null;
}

/** The reads of letters (courrier papier): what their printed answers are written from. */
@Injectable()
export class LetterRepository {
  constructor(private readonly db: Database) {}

  async printable(organizationId: string, conversationId: string, messageId: string): Promise<PrintableLetterRow | undefined> {
    const [row] = await this.db.query<PrintableLetterRow>(
      `SELECT m.id, m.body, m.status, m.error, m.meta ? 'withdrawnAt' AS withdrawn, m.direction, m.kind, m.created_at, m.meta->>'acknowledgement' AS acknowledgement,
              m.meta->>'postedAt' AS posted_at, ch.kind AS channel_kind,
              c.organization_id, c.team_id, c.assignee_id, c.contact_id, c.reference, c.subject, c.citizen_name,
              o.name AS organization_name, o.address AS organization_address, o.phone AS organization_phone,
              o.email AS organization_email, t.name AS team_name, t.contact AS team_contact,
              (SELECT f.meta->'letter' FROM message f
                WHERE f.conversation_id = c.id AND f.direction = 'inbound' AND f.meta ? 'letter'
                ORDER BY f.created_at, f.id LIMIT 1) AS letter
         FROM message m
         JOIN conversation c ON c.id = m.conversation_id
         JOIN organization o ON o.id = c.organization_id
         JOIN team t ON t.id = c.team_id
         LEFT JOIN channel ch ON ch.id = m.channel_id
        WHERE m.id = $1 AND c.id = $2 AND c.organization_id = $3`,
      [messageId, conversationId, organizationId],
    );
    return row;
  }

  /**
   * Serializes the registrations of letters from one sender (name and address, `letterSenderKey`)
   * until the caller's transaction ends, so that two at once find each other's citizen.
   */
  async lockSender(manager: EntityManager, organizationId: string, senderKey: string): Promise<void> {
    await this.db.query(`SELECT guichet_lock_identity($1, 'letter-sender', $2)`, [organizationId, senderKey], manager);
  }

  /**
   * The citizens whose files hold a letter from this sender (the same `letterSenderKey`), most
   * recent first; a few are enough to tell one from several (message_letter_sender_idx).
   */
  async sameSender(manager: EntityManager, organizationId: string, senderKey: string): Promise<string[]> {
    const rows = await this.db.query<{ contact_id: string }>(
      `SELECT c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.organization_id = $1 AND m.meta ? 'letterSenderKey' AND m.meta->>'letterSenderKey' = $2
        GROUP BY c.contact_id ORDER BY max(m.created_at) DESC LIMIT 3`,
      [organizationId, senderKey],
      manager,
    );
    return rows.map((r) => r.contact_id);
  }
}
