import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../../common/database';
import { CONVERSATION_COLUMNS, type ConversationRow } from './conversation.mapper';

/** Call details that are personal data: removed from an anonymized call message (the rest is statistics). */
const CALL_PERSONAL_KEYS = ['from', 'to', 'recordingUrl', 'note', 'agentEmail', 'extension'];

/**
 * The writer's set-based SQL for retention and erasure (RGPD, issue 16). It is set-based, not one
 * conversation at a time through the writer's per-row paths, because a nightly run empties
 * hundreds of thousands of conversations: per-row statements (and per-message trigger work) would
 * cost a round trip and a search-document rewrite per message. Each statement here takes a batch
 * (at most RETENTION_BATCH conversations) that ConversationWriter.erase has locked with the
 * writer's scheme: the citizens' identity locks first (as the ingest and a merge take them), then
 * the conversation rows.
 */
@Injectable()
export class ConversationErasureRepository {
  constructor(private readonly db: Database) {}

  /** The identities of these citizens (their values: the ingest's lock keys). */
  identities(m: EntityManager, contactIds: string[]): Promise<{ organization_id: string; kind: string; value: string }[]> {
    return this.db.query(
      `SELECT organization_id, kind, value FROM contact_identity WHERE contact_id = ANY($1::uuid[])`,
      [contactIds],
      m,
    );
  }

  /**
   * The identity locks of guichet_ingest_message(), taken in the given order in one statement
   * (the caller sorts them as a merge does, so two writers never wait for each other in a cycle).
   */
  async lockIdentities(m: EntityManager, keys: { organization_id: string; kind: string; value: string }[]): Promise<void> {
    if (!keys.length) return;
    await this.db.query(
      `SELECT guichet_lock_identity(k.o, k.kind, k.value)
         FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS k(o, kind, value, n) ORDER BY k.n`,
      [keys.map((k) => k.organization_id), keys.map((k) => k.kind), keys.map((k) => k.value)],
      m,
    );
  }

  /**
   * These conversations locked, those still to erase: not anonymized, not on legal hold, still in
   * the file they were chosen under and (`finishedOnly`, retention) still resolved or closed. A
   * file reopened or held since it was chosen is left for a later run.
   */
  lock(
    m: EntityManager,
    items: { id: string; contactId: string }[],
    finishedOnly: boolean,
  ): Promise<{ id: string; contact_id: string }[]> {
    return this.db.query(
      `SELECT c.id, c.contact_id FROM conversation c
         JOIN unnest($1::uuid[], $2::uuid[]) AS w(id, contact_id) ON w.id = c.id AND w.contact_id = c.contact_id
        WHERE c.anonymized_at IS NULL AND c.legal_hold_at IS NULL
          AND (NOT $3::boolean OR c.status IN ('resolved', 'closed'))
        ORDER BY c.id
          FOR UPDATE OF c`,
      [items.map((i) => i.id), items.map((i) => i.contactId), finishedOnly],
      m,
    );
  }

  /** The attachments' blobs (sha256) of these conversations' messages, their rows removed. */
  private async dropAttachments(m: EntityManager, ids: string[]): Promise<string[]> {
    const rows = await this.db.query<{ sha256: string }>(
      `DELETE FROM attachment a USING message ms WHERE a.message_id = ms.id AND ms.conversation_id = ANY($1::uuid[])
       RETURNING a.sha256`,
      [ids],
      m,
    );
    return [...new Set(rows.map((r) => r.sha256))];
  }

  /**
   * Empties the conversations of everything personal: message bodies and notes (the message
   * triggers empty the search document), subjects, snippets, the name given, identities, call
   * numbers and recordings, attachments, the link to a possibly related file; each moves to a
   * contact of its own with no name and no identity, so it links to no one. Dates, status,
   * service, channel kind, request type, reference, due dates and the satisfaction score stay.
   * Returns the blobs no longer referenced by these rows (the caller removes unused files after commit).
   */
  async anonymize(m: EntityManager, ids: string[], now: Date): Promise<string[]> {
    const blobs = await this.dropAttachments(m, ids);
    // The search documents are emptied below, once per conversation: not refreshed per message.
    await this.db.query(`SELECT set_config('guichet.emptying_search', 'on', true)`, [], m);
    await this.db.query(
      `UPDATE message SET body = '', html_body = NULL, error = NULL,
              meta = CASE WHEN kind = 'call' AND meta ? 'call'
                          THEN jsonb_build_object('call', (meta->'call') - $2::text[]) END
        WHERE conversation_id = ANY($1::uuid[])`,
      [ids, CALL_PERSONAL_KEYS],
      m,
    );
    await this.db.query(
      `WITH fresh AS (
         SELECT c.id AS conversation_id, gen_random_uuid() AS contact_id, c.organization_id
           FROM conversation c WHERE c.id = ANY($1::uuid[])
       ), contacts AS (
         INSERT INTO contact (id, organization_id, name, anonymized_at)
         SELECT contact_id, organization_id, NULL, $2 FROM fresh
       )
       UPDATE conversation c
          SET subject = NULL, snippet = NULL, citizen_name = NULL, identity_ids = '{}', messages_search = '',
              possibly_related_to_id = NULL, contact_id = f.contact_id, anonymized_at = $2, version = c.version + 1
         FROM fresh f WHERE f.conversation_id = c.id`,
      [ids, now],
      m,
    );
    await this.db.query(`SELECT set_config('guichet.emptying_search', 'off', true)`, [], m);
    return blobs;
  }

  /** Deletes the conversations (their messages and attachments go with them). Returns their blobs. */
  async delete(m: EntityManager, ids: string[]): Promise<string[]> {
    const blobs = await this.dropAttachments(m, ids);
    await this.db.query(`DELETE FROM conversation WHERE id = ANY($1::uuid[])`, [ids], m);
    return blobs;
  }

  /** The rows of several conversations as they are now (one statement: the events of a batch). */
  findByIds(m: EntityManager, organizationIds: string[], ids: string[]): Promise<ConversationRow[]> {
    return this.db.query<ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation c JOIN contact ct ON ct.id = c.contact_id
        WHERE c.organization_id = ANY($1::uuid[]) AND c.id = ANY($2::uuid[])`,
      [organizationIds, ids],
      m,
    );
  }
}
