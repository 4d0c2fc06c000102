import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database.service';
import { pgJson } from '../../common/pg-text';
import { snippetOf } from '../conversations/conversation-writer.service';

export type CallOutcomeState = 'ringing' | 'answered' | 'missed' | 'voicemail' | 'logged';

/** What a `call` message keeps in `message.meta.call`. */
export interface CallMeta {
  provider: 'twilio' | 'pbx' | 'manual';
  direction: 'inbound' | 'outbound';
  from: string | null;
  to: string | null;
  outcome: CallOutcomeState;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  recordingUrl?: string;
  agentEmail?: string;
  extension?: string;
  /** Hand-logged calls: a phone call or a counter visit ("accueil physique"). */
  kind?: 'phone' | 'counter';
  note?: string;
}

export interface CallRow {
  id: string;
  organization_id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  call: CallMeta;
}

/** SQL of telephony: call messages, the "à rappeler" flag, media already attached. */
@Injectable()
export class CallRepository {
  constructor(private readonly db: Database) {}

  /** The call message of a provider call id on a channel, locked for the caller's transaction. */
  async lockCall(manager: EntityManager, channelId: string, externalId: string): Promise<CallRow | null> {
    const [row] = await manager.query(
      `SELECT id, organization_id, conversation_id, direction, meta->'call' AS call FROM message
        WHERE channel_id = $1 AND external_id = $2 AND kind = 'call' FOR UPDATE`,
      [channelId, externalId],
    );
    return row ?? null;
  }

  async updateCall(manager: EntityManager, id: string, body: string, call: CallMeta): Promise<void> {
    await manager.query(
      `UPDATE message SET body = $2, meta = coalesce(meta, '{}'::jsonb) || jsonb_build_object('call', $3::jsonb) WHERE id = $1`,
      [id, body, pgJson(call)],
    );
  }

  /** The conversation's snippet follows its latest message. */
  async refreshSnippet(manager: EntityManager, conversationId: string, messageId: string, snippet: string): Promise<void> {
    await manager.query(
      `UPDATE conversation c SET snippet = $3 FROM message m
        WHERE c.id = $1 AND m.id = $2 AND m.created_at >= c.last_message_at`,
      [conversationId, messageId, snippetOf(snippet)],
    );
  }

  /** A missed call or a voicemail: "à rappeler", and the priority raised to at least high. */
  async flagCallback(manager: EntityManager, conversationId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE conversation SET callback_needed = true,
              priority = CASE WHEN priority IN ('low', 'normal') THEN 'high' ELSE priority END,
              status = CASE WHEN status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE status END,
              snoozed_until = NULL, unread = true, version = version + 1
        WHERE id = $1 AND NOT callback_needed RETURNING id`,
      [conversationId],
      manager,
    );
    return rows.length > 0;
  }

  /** The callback was made: the flag goes, and the priority it raised goes back to normal. */
  async clearCallback(manager: EntityManager, conversationId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE conversation SET callback_needed = false,
              priority = CASE WHEN priority = 'high' THEN 'normal' ELSE priority END,
              version = version + 1
        WHERE id = $1 AND callback_needed RETURNING id`,
      [conversationId],
      manager,
    );
    return rows.length > 0;
  }

  /** A hand-logged call or an outgoing switchboard call: activity, snippet, first response. */
  async touchCall(
    manager: EntityManager,
    conversationId: string,
    v: { snippet: string; outbound: boolean; at: Date },
  ): Promise<void> {
    await manager.query(
      `UPDATE conversation SET last_message_at = GREATEST(last_message_at, $2), snippet = $3,
              first_response_at = CASE WHEN $4 THEN coalesce(first_response_at, $2) ELSE first_response_at END,
              version = version + 1
        WHERE id = $1`,
      [conversationId, v.at, snippetOf(v.snippet), v.outbound],
    );
  }

  async agentIdByEmail(organizationId: string, email: string): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `SELECT id FROM agent WHERE organization_id = $1 AND lower(email) = lower($2) AND active`,
      [organizationId, email],
    );
    return row?.id ?? null;
  }

  async attachmentShas(messageId: string): Promise<string[]> {
    const rows = await this.db.query<{ sha256: string }>(`SELECT sha256 FROM attachment WHERE message_id = $1`, [messageId]);
    return rows.map((r) => r.sha256);
  }

  async conversationOf(messageId: string): Promise<{ organization_id: string; conversation_id: string } | null> {
    const [row] = await this.db.query<{ organization_id: string; conversation_id: string }>(
      `SELECT organization_id, conversation_id FROM message WHERE id = $1`,
      [messageId],
    );
    return row ?? null;
  }
}
