import { Injectable } from '@nestjs/common';
import { senderAddresses, type FolderCursor } from '@guichet/channels';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';

export interface WatchedChannelRow {
  id: string;
  organization_id: string;
  /** Changes whenever the channel is edited: the watcher restarts with the new config. */
  version: string;
}

export interface QuarantineRow {
  id: string;
  organization_id: string;
  channel_id: string;
  folder: string;
  uid: string;
  error: string;
  created_at: Date;
  retried_at: Date | null;
  size: number;
}

export type MailboxEventKind = 'duplicate' | 'unmatched-bounce' | 'delivery-report' | 'older-than-limit' | 'no-source';

export interface MailboxEventRow {
  id: string;
  folder: string;
  uid: string;
  kind: MailboxEventKind;
  external_id: string | null;
  reason: string;
  created_at: Date;
  size: number | null;
}

export interface MailReturnRow {
  id: string;
  kind: 'unmatched-bounce' | 'delivery-report';
  channel_id: string;
  channel_name: string;
  team_id: string;
  team_name: string;
  external_id: string | null;
  reason: string;
  created_at: Date;
  size: number | null;
}

/** The delivery reports kept for a service: those about no message Guichet sent. */
const RETURN_KINDS = ['unmatched-bounce', 'delivery-report'];

const QUARANTINE_COLUMNS = `id, organization_id, channel_id, folder, uid::text AS uid, error, created_at, retried_at,
  octet_length(raw) AS size`;

/** SQL of the email channel: enabled mailboxes, IMAP cursors, quarantine, activity. */
@Injectable()
export class EmailRepository {
  constructor(private readonly db: Database) {}

  enabledEmailChannels(): Promise<WatchedChannelRow[]> {
    return this.db.query<WatchedChannelRow>(
      `SELECT id, organization_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || md5(config::text) AS version
         FROM channel WHERE kind = 'email' AND enabled
          AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.id = channel.organization_id AND o.archived_at IS NOT NULL)
        ORDER BY created_at`,
    );
  }

  async cursor(channelId: string, folder: string): Promise<FolderCursor | null> {
    const [row] = await this.db.query<{ uid_validity: string; highest_uid: string; highest_modseq: string | null }>(
      `SELECT uid_validity, highest_uid, highest_modseq FROM mailbox_cursor WHERE channel_id = $1 AND folder = $2`,
      [channelId, folder],
    );
    return row ? { uidValidity: row.uid_validity, highestUid: Number(row.highest_uid), highestModseq: row.highest_modseq } : null;
  }

  async saveCursor(channelId: string, folder: string, c: FolderCursor): Promise<void> {
    await this.db.query(
      `INSERT INTO mailbox_cursor (channel_id, folder, uid_validity, highest_uid, highest_modseq, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (channel_id, folder) DO UPDATE
         SET uid_validity = EXCLUDED.uid_validity, highest_uid = EXCLUDED.highest_uid,
             highest_modseq = EXCLUDED.highest_modseq, updated_at = now()`,
      [channelId, folder, c.uidValidity, c.highestUid, c.highestModseq],
    );
  }

  /** Keeps a mail the import could not read, with the addresses its header names as its sender (erasure finds it by them). */
  async quarantine(v: {
    organizationId: string;
    channelId: string;
    folder: string;
    uid: number;
    raw: Buffer;
    error: string;
  }): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO quarantine (organization_id, channel_id, folder, uid, raw, error, senders)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [v.organizationId, v.channelId, v.folder, v.uid, v.raw, v.error.slice(0, 2000), senderAddresses(v.raw)],
    );
    return row!.id;
  }

  listQuarantine(organizationId: string, channelId: string): Promise<QuarantineRow[]> {
    return this.db.query<QuarantineRow>(
      `SELECT ${QUARANTINE_COLUMNS}
         FROM quarantine WHERE organization_id = $1 AND channel_id = $2
        ORDER BY created_at DESC LIMIT 200`,
      [organizationId, channelId],
    );
  }

  async quarantined(organizationId: string, channelId: string, id: string): Promise<(QuarantineRow & { raw: Buffer }) | null> {
    const [row] = await this.db.query<QuarantineRow & { raw: Buffer }>(
      `SELECT ${QUARANTINE_COLUMNS}, raw
         FROM quarantine WHERE organization_id = $1 AND channel_id = $2 AND id = $3`,
      [organizationId, channelId, id],
    );
    return row ?? null;
  }

  /** A retry failed again: when, and why this time. */
  async markRetryFailed(id: string, error: string, m?: EntityManager): Promise<void> {
    await this.db.query(`UPDATE quarantine SET retried_at = now(), error = $2 WHERE id = $1`, [id, error.slice(0, 2000)], m);
  }

  /**
   * Removes a quarantined mail, raw source and all (discarded by an admin, or stored by a retry:
   * it is a message of a conversation now), in the caller's transaction; null if it is not there
   * (any more). What it was (mailbox, folder, UID, size) comes back for the audit.
   */
  async removeQuarantined(
    m: EntityManager,
    organizationId: string,
    channelId: string,
    id: string,
  ): Promise<QuarantineRow | null> {
    const [row] = await this.db.query<QuarantineRow>(
      `DELETE FROM quarantine WHERE organization_id = $1 AND channel_id = $2 AND id = $3 RETURNING ${QUARANTINE_COLUMNS}`,
      [organizationId, channelId, id],
      m,
    );
    return row ?? null;
  }

  /**
   * The mails of these conversations a mailbox may hold a copy of (MailboxCopies): those received
   * and sent on an e-mail channel, with what finds them there. A reply whose id is not written (not
   * sent yet, or an attempt interrupted before its outcome) is found by the id its sending derives.
   */
  mailsOf(
    m: EntityManager,
    conversationIds: string[],
  ): Promise<
    {
      id: string;
      organization_id: string;
      channel_id: string;
      direction: 'inbound' | 'outbound';
      external_id: string | null;
      content_sha256: string | null;
      address: string | null;
      /** A reply whose sending may still be under way (its copy in the sent folder may come later). */
      in_flight: boolean;
    }[]
  > {
    return this.db.query(
      `SELECT ms.id, ms.organization_id, ms.channel_id, ms.direction, ms.external_id,
              ms.meta->>'contentSha256' AS content_sha256, ch.config->>'address' AS address,
              ms.direction = 'outbound' AND ms.status IN ('queued', 'sending') AS in_flight
         FROM message ms JOIN channel ch ON ch.id = ms.channel_id AND ch.kind = 'email'
        WHERE ms.conversation_id = ANY($1::uuid[]) AND ms.kind = 'message'
          AND (ms.external_id IS NOT NULL OR ms.direction = 'outbound')`,
      [conversationIds],
      m,
    );
  }

  /** The content hash kept with a stored mail (null: stored before hashes were kept, or none there). */
  async storedContentHash(channelId: string, externalId: string): Promise<{ hash: string | null } | null> {
    const [row] = await this.db.query<{ hash: string | null }>(
      `SELECT meta->>'contentSha256' AS hash FROM message WHERE channel_id = $1 AND external_id = $2`,
      [channelId, externalId],
    );
    return row ?? null;
  }

  async recordEvent(v: {
    organizationId: string;
    channelId: string;
    folder: string;
    uid: number;
    kind: MailboxEventKind;
    externalId: string | null;
    reason: string;
    raw: Buffer | null;
  }): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO mailbox_event (organization_id, channel_id, folder, uid, kind, external_id, reason, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        v.organizationId,
        v.channelId,
        v.folder,
        v.uid,
        v.kind,
        v.externalId?.slice(0, 998) ?? null,
        v.reason.slice(0, 2000),
        v.raw,
      ],
    );
    return row!.id;
  }

  /**
   * Delivery reports about nothing Guichet sent, received since `since` by the mailboxes of the
   * given services (`null`: every service, for supervisors and admins), newest first.
   */
  listReturns(organizationId: string, teamIds: string[] | null, since: Date): Promise<MailReturnRow[]> {
    return this.db.query<MailReturnRow>(
      `SELECT e.id, e.kind, ch.id AS channel_id, ch.name AS channel_name, t.id AS team_id, t.name AS team_name,
              e.external_id, e.reason, e.created_at, octet_length(e.raw) AS size
         FROM mailbox_event e
         JOIN channel ch ON ch.id = e.channel_id AND ch.organization_id = e.organization_id
         JOIN team t ON t.id = ch.team_id
        WHERE e.organization_id = $1 AND e.kind = ANY($2::text[]) AND e.created_at >= $3
          AND ($4::uuid[] IS NULL OR ch.team_id = ANY($4::uuid[]))
        ORDER BY e.created_at DESC, e.id LIMIT 100`,
      [organizationId, RETURN_KINDS, since, teamIds],
    );
  }

  /** The kept source of one of those reports, if the agent's services (`null`: all) include its mailbox's. */
  async returnSource(
    organizationId: string,
    id: string,
    teamIds: string[] | null,
  ): Promise<{ raw: Buffer; created_at: Date } | null> {
    const [row] = await this.db.query<{ raw: Buffer; created_at: Date }>(
      `SELECT e.raw, e.created_at
         FROM mailbox_event e JOIN channel ch ON ch.id = e.channel_id AND ch.organization_id = e.organization_id
        WHERE e.organization_id = $1 AND e.id = $2 AND e.kind = ANY($3::text[]) AND e.raw IS NOT NULL
          AND ($4::uuid[] IS NULL OR ch.team_id = ANY($4::uuid[]))`,
      [organizationId, id, RETURN_KINDS, teamIds],
    );
    return row ?? null;
  }

  listEvents(organizationId: string, channelId: string): Promise<MailboxEventRow[]> {
    return this.db.query<MailboxEventRow>(
      `SELECT id, folder, uid::text AS uid, kind, external_id, reason, created_at, octet_length(raw) AS size
         FROM mailbox_event WHERE organization_id = $1 AND channel_id = $2
        ORDER BY created_at DESC LIMIT 200`,
      [organizationId, channelId],
    );
  }
}
