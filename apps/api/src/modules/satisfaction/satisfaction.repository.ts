import { Injectable } from '@nestjs/common';
import type { ChannelKind, ConversationStatus, IdentityKind, SatisfactionMode } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { conformityColumns, type ConformityColumns } from '../public/conformity-columns';

export type SurveyStatus = 'scheduled' | 'sent' | 'skipped' | 'answered';

/** Everything a survey decision is taken from, read under the conversation's lock. */
export interface SurveyContextRow {
  organization_id: string;
  conversation_id: string;
  reference: string;
  status: ConversationStatus;
  contact_id: string;
  first_response_at: Date | null;
  organization_name: string;
  team_name: string;
  mode: SatisfactionMode;
  delay_hours: number;
  /** The channel the citizen last wrote on (a message, not a call): where the survey goes. */
  channel_id: string | null;
  channel_kind: ChannelKind | null;
  channel_enabled: boolean | null;
}

export interface SurveyRow {
  id: string;
  organization_id: string;
  conversation_id: string;
  channel_id: string | null;
  channel_kind: ChannelKind | null;
  status: SurveyStatus;
  skipped_reason: string | null;
  send_at: Date;
  sent_at: Date | null;
  expires_at: Date;
  answered_at: Date | null;
  score: number | null;
}

/** A survey with what its citizen page shows (no personal data: the reference and the service). */
export interface SurveyPageRow extends SurveyRow, ConformityColumns {
  reference: string;
  team_name: string;
  organization_name: string;
  organization_slug: string;
}

/** The satisfaction surveys (issue 15): one row per conversation, decided at resolution. */
@Injectable()
export class SatisfactionRepository {
  constructor(private readonly db: Database) {}

  /** Locks the conversation (FOR UPDATE: one survey decision at a time per file). */
  async context(m: EntityManager, organizationId: string, conversationId: string): Promise<SurveyContextRow | undefined> {
    const [row] = await this.db.query<SurveyContextRow>(
      `SELECT c.organization_id, c.id AS conversation_id, c.reference, c.status, c.contact_id, c.first_response_at,
              o.name AS organization_name, t.name AS team_name,
              t.satisfaction_survey AS mode, t.satisfaction_delay_hours AS delay_hours,
              l.channel_id, ch.kind AS channel_kind, ch.enabled AS channel_enabled
         FROM conversation c
         JOIN organization o ON o.id = c.organization_id
         JOIN team t ON t.id = c.team_id
         LEFT JOIN LATERAL (
           SELECT channel_id FROM message
            WHERE conversation_id = c.id AND direction = 'inbound' AND kind = 'message' AND channel_id IS NOT NULL
            ORDER BY created_at DESC, id DESC LIMIT 1
         ) l ON true
         LEFT JOIN channel ch ON ch.id = l.channel_id
        WHERE c.id = $1 AND c.organization_id = $2
        FOR UPDATE OF c`,
      [conversationId, organizationId],
      m,
    );
    return row;
  }

  async forConversation(m: EntityManager, conversationId: string): Promise<SurveyRow | undefined> {
    const [row] = await this.db.query<SurveyRow>(
      `SELECT * FROM satisfaction_survey WHERE conversation_id = $1`,
      [conversationId],
      m,
    );
    return row;
  }

  /** Decides (or decides again, while nothing was sent) the survey of a conversation; undefined once it was sent. */
  async upsert(
    m: EntityManager,
    v: {
      organizationId: string;
      conversationId: string;
      channelId: string | null;
      channelKind: ChannelKind | null;
      status: 'scheduled' | 'skipped';
      reason: string | null;
      sendAt: Date;
      expiresAt: Date;
    },
  ): Promise<SurveyRow | undefined> {
    const [row] = await this.db.query<SurveyRow>(
      `INSERT INTO satisfaction_survey (organization_id, conversation_id, channel_id, channel_kind, status, skipped_reason, send_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (conversation_id) DO UPDATE SET
         channel_id = EXCLUDED.channel_id, channel_kind = EXCLUDED.channel_kind, status = EXCLUDED.status,
         skipped_reason = EXCLUDED.skipped_reason, send_at = EXCLUDED.send_at, expires_at = EXCLUDED.expires_at
       WHERE satisfaction_survey.status IN ('scheduled', 'skipped')
       RETURNING *`,
      [v.organizationId, v.conversationId, v.channelId, v.channelKind, v.status, v.reason, v.sendAt, v.expiresAt],
      m,
    );
    return row;
  }

  async markSent(m: EntityManager, id: string, v: { messageId: string; expiresAt: Date }): Promise<void> {
    await this.db.query(
      `UPDATE satisfaction_survey SET status = 'sent', sent_at = now(), expires_at = $2, message_id = $3 WHERE id = $1`,
      [id, v.expiresAt, v.messageId],
      m,
    );
  }

  async markSkipped(m: EntityManager, id: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE satisfaction_survey SET status = 'skipped', skipped_reason = $2 WHERE id = $1`, [id, reason], m);
  }

  /** Surveys whose time has come, oldest first: the sender takes each under its conversation's lock. */
  async due(limit: number): Promise<{ organization_id: string; conversation_id: string }[]> {
    return this.db.query(
      `SELECT organization_id, conversation_id FROM satisfaction_survey
        WHERE status = 'scheduled' AND send_at <= now() ORDER BY send_at LIMIT $1`,
      [limit],
    );
  }

  /** The citizen's identity on a channel's kind: null when there is none, else whether it said STOP. */
  async optedOut(m: EntityManager, contactId: string, kind: IdentityKind): Promise<boolean | null> {
    const [row] = await this.db.query<{ opted_out: boolean }>(
      `SELECT bool_or(opted_out_at IS NOT NULL) AS opted_out, count(*)::int AS n FROM contact_identity
        WHERE contact_id = $1 AND kind = $2 HAVING count(*) > 0`,
      [contactId, kind],
      m,
    );
    return row ? row.opted_out : null;
  }

  /** A survey and what its page shows; `lock` takes it for an answer. */
  async page(id: string, m?: EntityManager, lock = false): Promise<SurveyPageRow | undefined> {
    const [row] = await this.db.query<SurveyPageRow>(
      `SELECT s.*, c.reference, t.name AS team_name, o.name AS organization_name, o.slug AS organization_slug,
              ${conformityColumns('o')}
         FROM satisfaction_survey s
         JOIN conversation c ON c.id = s.conversation_id
         JOIN team t ON t.id = c.team_id
         JOIN organization o ON o.id = s.organization_id
        WHERE s.id = $1${lock ? ' FOR UPDATE OF s' : ''}`,
      [id],
      m,
    );
    return row;
  }

  async saveAnswer(m: EntityManager, id: string, v: { score: number; comment: string | null; messageId: string }): Promise<void> {
    await this.db.query(
      `UPDATE satisfaction_survey SET status = 'answered', answered_at = now(), score = $2, comment = $3, message_id = coalesce(message_id, $4)
        WHERE id = $1`,
      [id, v.score, v.comment, v.messageId],
      m,
    );
  }

  /** The survey a citizen may still answer on the tracking page. */
  async openForConversation(conversationId: string): Promise<{ id: string; expires_at: Date } | undefined> {
    const [row] = await this.db.query<{ id: string; expires_at: Date }>(
      `SELECT id, expires_at FROM satisfaction_survey WHERE conversation_id = $1 AND status = 'sent' AND expires_at > now()`,
      [conversationId],
    );
    return row;
  }

  async teamSettings(
    organizationId: string,
    teamId: string,
  ): Promise<{ mode: SatisfactionMode; delay_hours: number } | undefined> {
    const [row] = await this.db.query<{ mode: SatisfactionMode; delay_hours: number }>(
      `SELECT satisfaction_survey AS mode, satisfaction_delay_hours AS delay_hours FROM team WHERE id = $1 AND organization_id = $2`,
      [teamId, organizationId],
    );
    return row;
  }

  async setTeamSettings(organizationId: string, teamId: string, mode: SatisfactionMode, delayHours: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE team SET satisfaction_survey = $3, satisfaction_delay_hours = $4 WHERE id = $1 AND organization_id = $2 RETURNING id`,
      [teamId, organizationId, mode, delayHours],
    );
    return rows.length > 0;
  }
}
