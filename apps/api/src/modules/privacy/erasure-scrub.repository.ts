import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { ERASED, type CitizenTerms } from './erasure-scrub';

/** What an erasure removed outside the citizen's own conversations, per place (in its audit row). */
export interface ErasureScrubCounts {
  messages: number;
  conversations: number;
  registrations: number;
  auditEvents: number;
  mailboxTraces: number;
  quarantinedMails: number;
  webhooks: number;
  merges: number;
  organizationMails: number;
  satisfactionComments: number;
  finishedJobs: number;
  emailCopies: number;
}

/**
 * An erasure reaches beyond the citizen's own conversations (RGPD art. 17, issue 16): their
 * addresses and numbers also sit in other files (Cc/To of someone else's mail, a neighbour's
 * message quoting them, a call placed to them from another file), in mailbox traces, in a failed
 * webhook, in event registrations, in audit details (a search for them), in merge records, in
 * the organization's mail log and in the data of jobs already run. Each statement here removes
 * them from one place, in the erasure's transaction, once the citizen's own conversations are
 * emptied. Texts keep their shape with the address, number or name replaced by « [effacé] ».
 *
 * `reach` matches their addresses and numbers; `all` those and their full names. A name is only
 * looked for where the row is about them (audit events naming them or a search, merges of their
 * file, their registrations, the organization's mail log, jobs already run): another citizen's
 * own words and an agent's name are not rewritten for a homonym.
 */
@Injectable()
export class ErasureScrubRepository {
  constructor(private readonly db: Database) {}

  /** The citizens' addresses, numbers and names (their file, their conversations' given names, files merged into theirs). */
  async terms(m: EntityManager, organizationId: string, contactIds: string[]): Promise<CitizenTerms & { contactIds: string[] }> {
    const [row] = await this.db.query<{ ids: string[]; emails: string[]; phones: string[]; names: string[] }>(
      `WITH RECURSIVE file(id) AS (
         SELECT id FROM contact WHERE organization_id = $1 AND id = ANY($2::uuid[])
         UNION SELECT c.id FROM contact c JOIN file f ON c.merged_into_id = f.id WHERE c.organization_id = $1
       ), merged AS (
         SELECT mg.dropped_identities FROM contact_merge mg
          WHERE mg.organization_id = $1 AND (mg.target_contact_id IN (SELECT id FROM file) OR mg.source_contact_id IN (SELECT id FROM file))
       ), ids AS (
         SELECT i.kind, i.value FROM contact_identity i WHERE i.contact_id IN (SELECT id FROM file)
         UNION SELECT d->>'kind', d->>'value' FROM merged, jsonb_array_elements(merged.dropped_identities) d
       ), names AS (
         SELECT name FROM contact WHERE id IN (SELECT id FROM file)
         UNION SELECT citizen_name FROM conversation WHERE organization_id = $1 AND contact_id IN (SELECT id FROM file)
         UNION SELECT unnest(ARRAY[mg.source_name, mg.target_previous_name, mg.kept_name]) FROM contact_merge mg
          WHERE mg.organization_id = $1 AND (mg.target_contact_id IN (SELECT id FROM file) OR mg.source_contact_id IN (SELECT id FROM file))
       )
       SELECT ARRAY(SELECT id FROM file) AS ids,
              ARRAY(SELECT DISTINCT lower(value) FROM ids WHERE kind = 'email') AS emails,
              ARRAY(SELECT DISTINCT value FROM ids WHERE kind IN ('phone', 'whatsapp')) AS phones,
              ARRAY(SELECT DISTINCT btrim(name) FROM names WHERE name IS NOT NULL AND btrim(name) <> '') AS names`,
      [organizationId, contactIds],
      m,
    );
    return { contactIds: row!.ids, emails: row!.emails, phones: row!.phones, names: row!.names };
  }

  /**
   * Removes the terms from everything of the organization that still holds them. `reach` and `all`
   * are contactPatterns(terms). Returns what changed, per place.
   */
  async scrub(
    m: EntityManager,
    o: {
      organizationId: string;
      contactIds: string[];
      emails: string[];
      phones: string[];
      reach: string | null;
      all: string | null;
      /** Conversations a legal hold keeps as they are. */
      held: string[];
    },
  ): Promise<Omit<ErasureScrubCounts, 'emailCopies'>> {
    const n = async (sql: string, params: unknown[]) => (await this.db.query<{ n: number }>(sql, params, m))[0]?.n ?? 0;
    const counts: Omit<ErasureScrubCounts, 'emailCopies'> = {
      messages: 0,
      conversations: 0,
      registrations: 0,
      auditEvents: 0,
      mailboxTraces: 0,
      quarantinedMails: 0,
      webhooks: 0,
      merges: 0,
      organizationMails: 0,
      satisfactionComments: 0,
      finishedJobs: 0,
    };
    const { organizationId: org, contactIds, reach, all } = o;
    // Event registrations: theirs (linked to their file, or under one of their addresses or numbers)
    // are anonymized as retention does after an event; places and attendance stay for its figures.
    counts.registrations = await n(
      `WITH done AS (
         UPDATE municipal_event_registration r
            SET name = '', email = NULL, phone = NULL, answers = '{}', contact_id = NULL, conversation_id = NULL,
                anonymized_at = now()
          WHERE r.organization_id = $1 AND r.anonymized_at IS NULL
            AND (r.contact_id = ANY($2::uuid[]) OR lower(r.email) = ANY($3::text[]) OR r.phone = ANY($4::text[]))
         RETURNING r.id
       ), reminders AS (
         UPDATE municipal_event_reminder mr SET message_id = NULL FROM done WHERE mr.registration_id = done.id
       )
       SELECT count(*)::int AS n FROM done`,
      [org, contactIds, o.emails, o.phones],
    );
    // Merge records of their file: the names and the identities an undo would give back.
    counts.merges = await n(
      `WITH done AS (
         UPDATE contact_merge SET source_name = NULL, target_previous_name = NULL, kept_name = NULL, dropped_identities = '[]',
                reason = CASE WHEN $3::text IS NULL THEN reason ELSE left(regexp_replace(reason, $3, $4, 'gi'), 500) END
          WHERE organization_id = $1 AND (target_contact_id = ANY($2::uuid[]) OR source_contact_id = ANY($2::uuid[]))
         RETURNING id)
       SELECT count(*)::int AS n FROM done`,
      [org, contactIds, all, ERASED],
    );
    // Audit details: a search for them, an event about their file naming them, any address or number.
    if (all)
      counts.auditEvents = await n(
        `WITH done AS (
           UPDATE audit_event SET data = (CASE WHEN contact_id = ANY($2::uuid[]) OR action = 'conversations.searched'
                                               THEN regexp_replace(data::text, $3, $5, 'gi')
                                               ELSE regexp_replace(data::text, $4, $5, 'gi') END)::jsonb
            WHERE organization_id = $1 AND data IS NOT NULL
              AND (data::text ~* $4 OR ((contact_id = ANY($2::uuid[]) OR action = 'conversations.searched') AND data::text ~* $3))
           RETURNING 1)
         SELECT count(*)::int AS n FROM done`,
        [org, contactIds, all, reach ?? 'a^b', ERASED],
      );
    // The organization's mail log (mails printed instead of sent): the copies to them or about them go.
    if (all)
      counts.organizationMails = await n(
        `WITH done AS (
           DELETE FROM organization_mail
            WHERE organization_id = $1 AND (to_address ~* $2 OR subject ~* $2 OR coalesce(body, '') ~* $2)
           RETURNING 1)
         SELECT count(*)::int AS n FROM done`,
        [org, all],
      );
    // Jobs already run (pg-boss keeps them, with their data, until its own retention): those whose data
    // names them (a domain event carrying a conversation, a notice to send) go now. A job still to run
    // is left to do its work.
    if (all)
      counts.finishedJobs = await n(
        `WITH done AS (
           DELETE FROM pgboss.job WHERE state IN ('completed', 'cancelled', 'failed') AND data::text ~* $1
           RETURNING 1)
         SELECT count(*)::int AS n FROM done`,
        [all],
      );
    if (!reach) return counts;
    // Other files: someone else's mail copying them (Cc/To in meta), quoting their address or number,
    // a call placed to them. The message triggers refresh those conversations' search documents.
    counts.messages = await n(
      `WITH done AS (
         UPDATE message SET body = regexp_replace(body, $2, $3, 'gi'),
                html_body = regexp_replace(html_body, $2, $3, 'gi'),
                error = regexp_replace(error, $2, $3, 'gi'),
                meta = regexp_replace(meta::text, $2, $3, 'gi')::jsonb
          WHERE organization_id = $1 AND conversation_id <> ALL($4::uuid[])
            AND (body ~* $2 OR html_body ~* $2 OR error ~* $2 OR meta::text ~* $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach, ERASED, o.held],
    );
    counts.conversations = await n(
      `WITH done AS (
         UPDATE conversation SET subject = regexp_replace(subject, $2, $3, 'gi'), snippet = regexp_replace(snippet, $2, $3, 'gi'),
                version = version + 1
          WHERE organization_id = $1 AND id <> ALL($4::uuid[]) AND (subject ~* $2 OR snippet ~* $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach, ERASED, o.held],
    );
    counts.satisfactionComments = await n(
      `WITH done AS (
         UPDATE satisfaction_survey SET comment = regexp_replace(comment, $2, $3, 'gi')
          WHERE organization_id = $1 AND conversation_id <> ALL($4::uuid[]) AND comment ~* $2
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach, ERASED, o.held],
    );
    // Mailbox traces (duplicates of other mails, reports) and quarantined mails naming them anywhere
    // in their raw source: copies, removed as the quarantine's period would remove them.
    counts.mailboxTraces = await n(
      `WITH done AS (
         DELETE FROM mailbox_event
          WHERE organization_id = $1 AND (reason ~* $2 OR (raw IS NOT NULL AND encode(raw, 'escape') ~* $2))
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach],
    );
    counts.quarantinedMails = await n(
      `WITH done AS (
         DELETE FROM quarantine
          WHERE organization_id = $1 AND (encode(raw, 'escape') ~* $2 OR array_to_string(senders, ' ') ~* $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach],
    );
    // Webhooks the inbox gave up on (kept for an admin to look at): those from or about them go. A
    // waiting one is left to be filed: it is a new message, written after the erasure.
    counts.webhooks = await n(
      `WITH done AS (
         DELETE FROM webhook_inbox w USING channel ch
          WHERE ch.id = w.channel_id AND ch.organization_id = $1 AND w.failed_at IS NOT NULL
            AND (w.payload ~* $2 OR w.order_key ~* $2 OR w.dedupe_key ~* $2 OR coalesce(w.error, '') ~* $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM done`,
      [org, reach],
    );
    return counts;
  }

  /** E-mail copies kept as attachments (message/rfc822) in the organization's files, to read for their addresses. */
  emailCopies(m: EntityManager, organizationId: string, held: string[]): Promise<{ id: string; sha256: string }[]> {
    return this.db.query(
      `SELECT a.id, a.sha256 FROM attachment a JOIN message ms ON ms.id = a.message_id
        WHERE a.organization_id = $1 AND a.content_type = 'message/rfc822' AND ms.conversation_id <> ALL($2::uuid[])
        ORDER BY a.id`,
      [organizationId, held],
      m,
    );
  }

  async replaceBlob(m: EntityManager, attachmentId: string, sha256: string, size: number): Promise<void> {
    await this.db.query(`UPDATE attachment SET sha256 = $2, size = $3 WHERE id = $1`, [attachmentId, sha256, size], m);
  }

  /** Files merged into theirs lose their name and what identities they kept, as theirs do. */
  async anonymizeMergedFiles(m: EntityManager, ids: string[], now: Date): Promise<void> {
    if (!ids.length) return;
    await this.db.query(`DELETE FROM contact_identity WHERE contact_id = ANY($1::uuid[])`, [ids], m);
    await this.db.query(
      `UPDATE contact SET name = NULL, avatar_url = NULL, anonymized_at = coalesce(anonymized_at, $2), updated_at = $2
        WHERE id = ANY($1::uuid[]) AND merged_into_id IS NOT NULL`,
      [ids, now],
      m,
    );
  }
}
