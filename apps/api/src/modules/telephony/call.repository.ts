import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

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

/** SQL of telephony: call messages read and locked, media already attached (writes: ConversationWriter). */
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
