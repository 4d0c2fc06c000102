import { Injectable } from '@nestjs/common';
import type { AckTemplateName, ChannelKind, DecisionRegime, IdentityKind, RequestTypeAckTemplateName } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { pgJson } from '../../common/pg-text';

/** The organization's acknowledgement settings as saved (templates left out are the defaults). */
export interface SavedAckSettings {
  enabled: boolean;
  templates?: Partial<Record<AckTemplateName, string>>;
}

/** A démarche's own accusés de réception as saved (`request_type.acknowledgement_templates`). */
export type RequestTypeAckTemplates = Partial<Record<RequestTypeAckTemplateName, string>>;

/** Everything an acknowledgement of one request is written from, read under the conversation's lock. */
export interface AckContextRow {
  organization_id: string;
  conversation_id: string;
  reference: string;
  created_at: Date;
  contact_id: string;
  decision_regime: DecisionRegime | null;
  decision_due_at: Date | null;
  request_type_id: string | null;
  request_type_name: string | null;
  request_type_documents: string[] | null;
  request_type_exempt: boolean | null;
  request_type_templates: RequestTypeAckTemplates | null;
  organization_name: string;
  organization_address: string;
  organization_email: string;
  organization_phone: string;
  settings: SavedAckSettings;
  team_name: string;
  team_contact: { email?: string; phone?: string; address?: string };
  team_acknowledgements: boolean;
  /** The citizen's first message: the channel the request came by. */
  first_channel_id: string | null;
  first_channel_kind: ChannelKind | null;
  first_channel_enabled: boolean | null;
  first_kind: string | null;
  first_direction: string | null;
  first_auto_reply: boolean | null;
  first_body: string | null;
  team_id: string;
  /** A letter: the agent who registered it (its acknowledgement is theirs, signed, L111-2). */
  first_registered_by: string | null;
}

export interface AckRow {
  kind: 'registration' | 'receipt' | 'correction' | 'skipped';
  reason: string | null;
  request_type_id: string | null;
}

/** The acknowledgements sent for each request, and what they are written from. */
@Injectable()
export class AcknowledgementRepository {
  constructor(private readonly db: Database) {}

  /** Locks the conversation (FOR UPDATE: one acknowledgement decision at a time per request). */
  async context(m: EntityManager, organizationId: string, conversationId: string): Promise<AckContextRow | undefined> {
    const [row] = await this.db.query<AckContextRow>(
      `SELECT c.organization_id, c.id AS conversation_id, c.reference, c.created_at, c.contact_id, c.decision_regime, c.decision_due_at,
              c.request_type_id, rt.name AS request_type_name, rt.documents AS request_type_documents,
              rt.acknowledgement_exempt AS request_type_exempt, rt.acknowledgement_templates AS request_type_templates,
              o.name AS organization_name, o.address AS organization_address, o.email AS organization_email,
              o.phone AS organization_phone, o.acknowledgements AS settings,
              t.name AS team_name, t.contact AS team_contact, t.acknowledgements AS team_acknowledgements,
              f.channel_id AS first_channel_id, ch.kind AS first_channel_kind, ch.enabled AS first_channel_enabled, f.kind AS first_kind,
              f.direction AS first_direction, f.body AS first_body, coalesce((f.meta->>'autoReply')::boolean, false) AS first_auto_reply,
              c.team_id, f.meta->>'registeredBy' AS first_registered_by
         FROM conversation c
         JOIN organization o ON o.id = c.organization_id
         JOIN team t ON t.id = c.team_id
         LEFT JOIN request_type rt ON rt.id = c.request_type_id
         LEFT JOIN LATERAL (
           SELECT channel_id, kind, direction, meta, body FROM message
            WHERE conversation_id = c.id ORDER BY created_at, id LIMIT 1
         ) f ON true
         LEFT JOIN channel ch ON ch.id = f.channel_id
        WHERE c.id = $1 AND c.organization_id = $2
        FOR UPDATE OF c`,
      [conversationId, organizationId],
      m,
    );
    return row;
  }

  /** What was decided for this request so far, oldest first. */
  async sent(m: EntityManager, conversationId: string): Promise<AckRow[]> {
    return this.db.query<AckRow>(
      `SELECT kind, reason, request_type_id FROM acknowledgement WHERE conversation_id = $1 ORDER BY created_at, id`,
      [conversationId],
      m,
    );
  }

  async record(
    m: EntityManager,
    v: {
      organizationId: string;
      conversationId: string;
      kind: AckRow['kind'];
      reason?: string;
      messageId?: string;
      requestTypeId: string | null;
    },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO acknowledgement (organization_id, conversation_id, kind, reason, message_id, request_type_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [v.organizationId, v.conversationId, v.kind, v.reason ?? null, v.messageId ?? null, v.requestTypeId],
      m,
    );
  }

  /** The citizen's identity of that kind has said STOP (or there is none): null when none. */
  async optedOut(m: EntityManager, contactId: string, kind: IdentityKind): Promise<boolean | null> {
    const [row] = await this.db.query<{ opted_out: boolean }>(
      `SELECT opted_out_at IS NOT NULL AS opted_out FROM contact_identity
        WHERE contact_id = $1 AND kind = $2 ORDER BY created_at LIMIT 1`,
      [contactId, kind],
      m,
    );
    return row ? row.opted_out : null;
  }

  async settings(organizationId: string): Promise<{ saved: SavedAckSettings; signReplies: boolean }> {
    const [row] = await this.db.query<{ acknowledgements: SavedAckSettings; sign_replies: boolean }>(
      `SELECT acknowledgements, sign_replies FROM organization WHERE id = $1`,
      [organizationId],
    );
    return { saved: row?.acknowledgements ?? { enabled: false }, signReplies: !!row?.sign_replies };
  }

  async saveSettings(organizationId: string, v: SavedAckSettings, signReplies: boolean): Promise<void> {
    await this.db.query(`UPDATE organization SET acknowledgements = $2, sign_replies = $3 WHERE id = $1`, [
      organizationId,
      pgJson(v),
      signReplies,
    ]);
  }

  /** The démarches of the organization that have texts of their own, by id. */
  async requestTypeTemplates(organizationId: string): Promise<Record<string, RequestTypeAckTemplates>> {
    const rows = await this.db.query<{ id: string; acknowledgement_templates: RequestTypeAckTemplates }>(
      `SELECT id, acknowledgement_templates FROM request_type
        WHERE organization_id = $1 AND acknowledgement_templates <> '{}'::jsonb`,
      [organizationId],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.acknowledgement_templates]));
  }

  /**
   * A démarche's own texts changed in one statement: `set` saved over them, `remove` dropped
   * (following the organization's again). False when the démarche is not of this organization.
   */
  async updateRequestTypeTemplates(
    organizationId: string,
    id: string,
    set: RequestTypeAckTemplates,
    remove: RequestTypeAckTemplateName[],
  ): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE request_type SET acknowledgement_templates = (acknowledgement_templates || $3::jsonb) - $4::text[], updated_at = now()
        WHERE organization_id = $1 AND id = $2 RETURNING id`,
      [organizationId, id, pgJson(set), remove],
    );
    return rows.length > 0;
  }

  /** A service's opt-out of acknowledgements; false when the service is not of this organization. */
  async setTeamEnabled(organizationId: string, teamId: string, enabled: boolean): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE team SET acknowledgements = $3 WHERE id = $2 AND organization_id = $1 RETURNING id`,
      [organizationId, teamId, enabled],
    );
    return rows.length > 0;
  }

  async teams(organizationId: string): Promise<{ id: string; name: string; acknowledgements: boolean }[]> {
    return this.db.query(
      `SELECT id, name, acknowledgements FROM team WHERE organization_id = $1 AND archived_at IS NULL ORDER BY name`,
      [organizationId],
    );
  }
}
