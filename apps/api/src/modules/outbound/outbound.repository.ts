import { Injectable } from '@nestjs/common';
import { NOTICE_NOT_SENT, type DeliveryStatus, type FormReplyNotice, type FormReplyNoticeDto } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { isUuid } from '../../common/uuid';
import { lastInboundAtSql } from '../conversations/conversation.mapper';
import { pgJson } from '../../common/pg-text';

/** What telling a form's citizen of a reply needs: the town, its setting, the citizen's usable address and number. */
export interface FormNoticeContext {
  organization_id: string;
  conversation_id: string;
  organization_name: string;
  form_reply_notice: FormReplyNotice;
  /** The organization's own outgoing mail has an SMTP server (else its mails only go to the log). */
  mail_smtp: boolean;
  reference: string;
  contact_id: string;
  email: string | null;
  /** The citizen's number, unless they said STOP on it. */
  phone: string | null;
}

/** A queued e-mail notice, for its sending job. */
export interface FormNoticeMailRow {
  organization_id: string;
  conversation_id: string;
  status: DeliveryStatus;
  body: string;
  reference: string;
  organization_name: string;
  notice: FormReplyNoticeDto | null;
}

/**
 * SQL: why the registrant's notice $1 (a message in `status`) must not leave now, or NULL (issue
 * 17, « none is sent after a cancellation »): a notice of the town hall to a registrant (a
 * reminder, a confirmation, a waiting-list offer, an event's change) whose registration is no
 * longer active, or whose event or session is cancelled. `wording` makes the reason of what was
 * cancelled (it starts with NOTICE_NOT_SENT: MessageDto.skipped). The registration is read FOR
 * SHARE: a cancellation not yet committed is waited for and seen. What tells the cancellation
 * itself (`cancelled`, `expired`, `event_cancelled`) and an agent's message (the one sent with an
 * event's cancellation: no `notice`, `reminder` nor `eventChanged`) always go.
 */
const noticeWithheld = (status: 'queued' | 'sending', wording: (cancelled: string) => string, messageId = '$1') => `
  (SELECT CASE WHEN e.cancelled_at IS NOT NULL THEN '${wording('l’événement a été annulé')}'
               WHEN s.cancelled_at IS NOT NULL THEN '${wording('la séance a été annulée')}'
               WHEN r.status = 'cancelled' THEN '${wording('l’inscription a été annulée')}'
               WHEN r.status = 'expired' THEN '${wording('l’inscription a été close')}'
          END
     FROM message q
     JOIN municipal_event_registration r ON r.id = (q.meta->'municipalEvent'->>'registrationId')::uuid
     JOIN municipal_event_session s ON s.id = r.session_id
     JOIN municipal_event e ON e.id = r.event_id
    WHERE q.id = ${messageId} AND q.status = '${status}'
      AND (q.meta->'municipalEvent' ?| array['reminder', 'eventChanged']
           OR q.meta->'municipalEvent'->>'notice' IN ('registered', 'waitlisted', 'offered', 'confirmed'))
      FOR SHARE OF r)`;

/** What the sending worker needs of a queued message: its text, conversation and citizen, and its last attempt. */
export interface OutboundRow {
  id: string;
  organization_id: string;
  body: string;
  status: string;
  error: string | null;
  external_id: string | null;
  created_at: Date;
  /** The last attempt (status `sending`): who made it, how long ago (by the database's clock), and its key (takeOver). */
  send_instance: string | null;
  attempt_age_ms: number | null;
  attempt_key: string | null;
  kind: string;
  channel_id: string | null;
  conversation_id: string;
  contact_id: string;
  contact_name: string | null;
  subject: string | null;
  reference: string;
  /**
   * Since when the citizen's data is limited (RGPD art. 18), when it is and this conversation may
   * not be processed (guichet_limited_since, migration 1765111000000): the message must not leave.
   */
  limited_since: Date | null;
}

/** What a send's request needs besides the message's row (OutboundRepository.requestParts). */
export interface RequestParts {
  identity: string | null;
  thread: string[];
  attachments: { id: string; file_name: string; content_type: string; sha256: string }[];
  last_inbound_at: Date | null;
}

/** The reads of outbound sending and delivery statuses. */
@Injectable()
export class OutboundRepository {
  constructor(private readonly db: Database) {}

  async findOutbound(organizationId: string, messageId: string): Promise<OutboundRow | undefined> {
    return (await this.findOutboundMany([{ organizationId, messageId }])).get(messageId);
  }

  /** `findOutbound` of several messages (a group of sends), in one statement; by message id. */
  async findOutboundMany(jobs: { organizationId: string; messageId: string }[]): Promise<Map<string, OutboundRow>> {
    const asked = jobs.filter((j) => isUuid(j.messageId) && isUuid(j.organizationId));
    if (!asked.length) return new Map();
    const rows = await this.db.query<OutboundRow>(
      `SELECT m.id, m.organization_id, m.body, m.status, m.error, m.external_id, m.created_at, m.send_instance,
              (extract(epoch FROM now() - m.send_started_at) * 1000)::float8 AS attempt_age_ms,
              (extract(epoch FROM m.send_started_at) * 1000000)::bigint::text AS attempt_key,
              m.kind, m.channel_id, m.conversation_id, c.contact_id, ct.name AS contact_name, c.subject, c.reference,
              guichet_limited_since(c.contact_id, c.id) AS limited_since
         FROM jsonb_to_recordset($1::jsonb) AS j(id uuid, organization_id uuid)
         JOIN message m ON m.id = j.id AND m.organization_id = j.organization_id
         JOIN conversation c ON c.id = m.conversation_id JOIN contact ct ON ct.id = c.contact_id`,
      [pgJson(asked.map((j) => ({ id: j.messageId, organization_id: j.organizationId })))],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * The attempt, committed before the provider is called: the message leaves `queued` for
   * `sending`, with when and by which instance. `lost` when it was not `queued` any more (another
   * run claimed it first).
   *
   * Issue 17, « none is sent after a cancellation »: a registrant's notice whose registration,
   * event or session was cancelled (noticeWithheld) is settled `failed` with the reason instead, in
   * the same statement (`skipped`), so none leaves once the citizen or the town cancelled.
   */
  async claim(messageId: string, instance: string): Promise<'claimed' | 'lost' | { skipped: string }> {
    return (await this.claimMany([messageId], instance)).get(messageId) ?? 'lost';
  }

  /**
   * `claim` of several messages (a group of sends) in one statement, hence one commit: what each
   * came to, by message id; a message missing from the answer was lost (no longer `queued`). Two
   * groups holding a message in common (a job handed out again while its first run still sends)
   * could deadlock: the loser's error sends its group one by one (OutboundWorker.sendGroup).
   */
  async claimMany(messageIds: string[], instance: string): Promise<Map<string, 'claimed' | { skipped: string }>> {
    if (!messageIds.length) return new Map();
    const rows = await this.db.query<{ id: string; status: string; error: string | null }>(
      `UPDATE message m
          SET status = CASE WHEN x.skip IS NULL THEN 'sending' ELSE 'failed' END,
              error = coalesce(x.skip, m.error),
              send_started_at = CASE WHEN x.skip IS NULL THEN now() ELSE m.send_started_at END,
              send_instance = CASE WHEN x.skip IS NULL THEN $2 ELSE m.send_instance END
         FROM (SELECT l.id, ${noticeWithheld('queued', (c) => `${NOTICE_NOT_SENT} ${c} avant l’envoi`, 'l.id')} AS skip
                 FROM unnest($1::uuid[]) AS l(id)) x
        WHERE m.id = x.id AND m.status = 'queued'
        RETURNING m.id, m.status, m.error`,
      [[...new Set(messageIds)], instance],
    );
    return new Map(rows.map((r) => [r.id, r.status === 'failed' ? { skipped: r.error! } : ('claimed' as const)]));
  }

  /**
   * Why an interrupted attempt of a registrant's notice, taken over by this run (`sending`), must
   * not be made again (its registration, event or session cancelled since it was claimed:
   * noticeWithheld), or null. Asked before a new provider call only: what the provider already
   * has of the first attempt is recorded as sent.
   */
  async withheldAtTakeOver(messageId: string): Promise<string | null> {
    const [row] = await this.db.query<{ skip: string | null }>(
      `SELECT ${noticeWithheld('sending', (c) => `${NOTICE_NOT_SENT} envoi interrompu non repris, ${c} entre-temps`)} AS skip`,
      [messageId],
    );
    return row?.skip ?? null;
  }

  /**
   * A new attempt in place of an interrupted one (`attemptKey`, as read): false when another run
   * took it over first, or it ended meanwhile.
   */
  async takeOver(messageId: string, attemptKey: string | null, instance: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE message SET send_started_at = now(), send_instance = $3
        WHERE id = $1 AND status = 'sending' AND error IS NULL
          AND (extract(epoch FROM send_started_at) * 1000000)::bigint::text IS NOT DISTINCT FROM $2
        RETURNING id`,
      [messageId, attemptKey, instance],
    );
    return rows.length > 0;
  }

  /** An attempt given back (a temporary failure the provider answered): the message waits in the queue again. */
  async release(messageId: string, instance: string): Promise<void> {
    await this.db.query(
      `UPDATE message SET status = 'queued' WHERE id = $1 AND status = 'sending' AND send_instance = $2 AND error IS NULL`,
      [messageId, instance],
    );
  }

  /** Of these provider ids, those another message of the channel holds. */
  async heldExternalIds(channelId: string | null, messageId: string, externalIds: string[]): Promise<Set<string>> {
    if (!externalIds.length) return new Set();
    const rows = await this.db.query<{ external_id: string }>(
      `SELECT external_id FROM message WHERE channel_id = $1 AND external_id = ANY($2::text[]) AND id <> $3`,
      [channelId, externalIds, messageId],
    );
    return new Set(rows.map((r) => r.external_id));
  }

  /** The conversation and citizen of each message (what orders their sends), by message id. */
  async orderKeys(messageIds: string[]): Promise<Map<string, { conversation_id: string; contact_id: string }>> {
    const rows = await this.db.query<{ id: string; conversation_id: string; contact_id: string }>(
      `SELECT m.id, m.conversation_id, c.contact_id FROM message m JOIN conversation c ON c.id = m.conversation_id
        WHERE m.id = ANY($1::uuid[])`,
      [messageIds.filter(isUuid)],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * What a send's request needs besides the message's row, in one statement (one round trip per
   * send, where four reads took four): the citizen's oldest identity of `identityKind` (the
   * address a reply goes to; null when they have none, or the channel needs none), the provider
   * ids of the conversation's messages on the channel, oldest first (e-mail threading), the
   * message's files, and when the citizen last wrote on a channel of this kind (the 24-hour
   * window: lastInboundAtSql).
   */
  async requestParts(
    row: Pick<OutboundRow, 'id' | 'conversation_id' | 'contact_id'>,
    channel: { id: string; kind: string },
    identityKind: string | null,
  ): Promise<RequestParts> {
    return (await this.requestPartsMany([{ row, channel, identityKind }]))[0]!;
  }

  /** `requestParts` of several sends (a group), in one statement; in the order given. */
  async requestPartsMany(
    sends: {
      row: Pick<OutboundRow, 'id' | 'conversation_id' | 'contact_id'>;
      channel: { id: string; kind: string };
      identityKind: string | null;
    }[],
  ): Promise<RequestParts[]> {
    if (!sends.length) return [];
    const rows = await this.db.query<RequestParts & { ord: number }>(
      `SELECT x.ord,
              (SELECT value FROM contact_identity WHERE contact_id = x.contact_id AND kind = x.identity_kind
                ORDER BY created_at LIMIT 1) AS identity,
              ARRAY(SELECT external_id FROM message WHERE conversation_id = x.conversation_id AND channel_id = x.channel_id
                       AND external_id IS NOT NULL ORDER BY created_at, id) AS thread,
              coalesce((SELECT json_agg(json_build_object('id', id, 'file_name', file_name, 'content_type', content_type,
                                                          'sha256', sha256) ORDER BY created_at, id)
                          FROM attachment WHERE message_id = x.id), '[]') AS attachments,
              ${lastInboundAtSql('x.conversation_id', 'x.channel_kind')} AS last_inbound_at
         FROM jsonb_to_recordset($1::jsonb)
              AS x(ord int, id uuid, contact_id uuid, identity_kind text, conversation_id uuid, channel_id uuid, channel_kind text)`,
      [
        pgJson(
          sends.map((s, ord) => ({
            ord,
            id: s.row.id,
            contact_id: s.row.contact_id,
            identity_kind: s.identityKind,
            conversation_id: s.row.conversation_id,
            channel_id: s.channel.id,
            channel_kind: s.channel.kind,
          })),
        ),
      ],
    );
    const byOrd = new Map(rows.map(({ ord, ...parts }) => [ord, parts]));
    return sends.map((_, ord) => byOrd.get(ord)!);
  }

  /** The outbound message of a channel a provider callback names by its id. */
  async findByExternalId(
    channelId: string,
    externalId: string,
  ): Promise<{ id: string; status: DeliveryStatus; organization_id: string; conversation_id: string } | undefined> {
    const [row] = await this.db.query<{ id: string; status: DeliveryStatus; organization_id: string; conversation_id: string }>(
      `SELECT id, status, organization_id, conversation_id FROM message
        WHERE channel_id = $1 AND external_id = $2 AND direction = 'outbound'`,
      [channelId, externalId],
    );
    return row;
  }

  async formNoticeContext(
    m: EntityManager | undefined,
    organizationId: string,
    conversationId: string,
  ): Promise<FormNoticeContext | undefined> {
    const [row] = await this.db.query<FormNoticeContext>(
      `SELECT c.organization_id, c.id AS conversation_id, o.name AS organization_name, o.form_reply_notice, coalesce(o.mail_settings->>'mode', 'log') = 'smtp' AS mail_smtp,
              c.reference, c.contact_id,
              (SELECT value FROM contact_identity WHERE contact_id = c.contact_id AND kind = 'email'
                ORDER BY created_at LIMIT 1) AS email,
              (SELECT value FROM contact_identity WHERE contact_id = c.contact_id AND kind = 'phone' AND opted_out_at IS NULL
                ORDER BY created_at LIMIT 1) AS phone
         FROM conversation c JOIN organization o ON o.id = c.organization_id
        WHERE c.id = $1 AND c.organization_id = $2`,
      [conversationId, organizationId],
      m,
    );
    return row;
  }

  async formNoticeMail(organizationId: string, messageId: string): Promise<FormNoticeMailRow | undefined> {
    const [row] = await this.db.query<FormNoticeMailRow>(
      `SELECT m.organization_id, m.conversation_id, m.status, m.body, c.reference, o.name AS organization_name,
              m.meta->'formNotice' AS notice
         FROM message m JOIN conversation c ON c.id = m.conversation_id JOIN organization o ON o.id = m.organization_id
        WHERE m.id = $1 AND m.organization_id = $2`,
      [messageId, organizationId],
    );
    return row;
  }
}
