import type { MigrationInterface, QueryRunner } from 'typeorm';

/** guichet_ingest() as this migration defines it (IngestPreviousStatus1764873000000 derives its own). */
export const INGEST_BATCH_SQL = `
      CREATE FUNCTION guichet_ingest(p_items jsonb) RETURNS TABLE (
        ord integer, message_id uuid, created boolean, new_conversation boolean,
        id uuid, organization_id uuid, reference text, status text, priority text, subject text, team_id uuid,
        assignee_id uuid, contact_id uuid, contact_name text, last_channel_kind text, snippet text, unread boolean,
        callback_needed boolean, possibly_related_to_id uuid, snoozed_until timestamptz, created_at timestamptz,
        last_message_at timestamptz, last_inbound_at timestamptz, first_response_at timestamptz, version integer
      )
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_item jsonb;
        v_ord bigint;
      BEGIN
        FOR v_item, v_ord IN SELECT e.value, e.ordinality FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e LOOP
          RETURN QUERY SELECT v_ord::integer, r.* FROM guichet_ingest_message(v_item) AS r;
        END LOOP;
      END
      $$`;

/**
 * The ingest transaction as server-side functions. IngestService sends a batch of messages (one
 * JSON item each) to guichet_ingest() in autocommit: one round trip and one commit for all of
 * them. guichet_ingest_message() does what ARCHITECTURE.md's threading asks, in this order:
 *
 *  1. the identity lock (guichet_lock_identity, shared with every other path that creates or
 *     moves an identity), so a sender's messages are serialized and a webhook delivered twice at
 *     the same moment meets its twin here;
 *  2. dedupe on (channel, external id): an already stored message is answered with created = false;
 *  3. the contact found or created by identity (its name filled in once), extra identities added
 *     unless another citizen holds them (never moved: that would merge two files);
 *  4. threading candidates in order: proven conversation id, In-Reply-To/References external ids,
 *     quoted reference, then the contact's latest open conversation when the channel asks;
 *  5. the sender check: a candidate is appended to only when it belongs to this contact and is not
 *     closed; otherwise a new conversation is opened, flagged as possibly related to the candidate;
 *  6. message and attachment rows (attachment ids chosen by the caller), and the conversation row
 *     returned as reads return it, for the events the caller sends once the batch has committed.
 *
 * Any error rolls the whole batch back; the caller then runs its items one by one, so that only
 * the faulty one fails (a twin stored under another identity at the same moment raises the
 * unique violation of message_channel_external_id_key, answered as a duplicate).
 */
export class IngestFunction1764400000000 implements MigrationInterface {
  name = 'IngestFunction1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION guichet_lock_identity(p_organization uuid, p_kind text, p_value text) RETURNS void
      LANGUAGE sql VOLATILE AS $$
        SELECT pg_advisory_xact_lock(hashtextextended('identity:' || p_organization || ':' || p_kind || ':' || p_value, 0))
      $$`);

    await q.query(`
      CREATE FUNCTION guichet_ingest_message(p jsonb) RETURNS TABLE (
        message_id uuid, created boolean, new_conversation boolean,
        id uuid, organization_id uuid, reference text, status text, priority text, subject text, team_id uuid,
        assignee_id uuid, contact_id uuid, contact_name text, last_channel_kind text, snippet text, unread boolean,
        callback_needed boolean, possibly_related_to_id uuid, snoozed_until timestamptz, created_at timestamptz,
        last_message_at timestamptz, last_inbound_at timestamptz, first_response_at timestamptz, version integer
      )
      LANGUAGE plpgsql VOLATILE AS $$
      #variable_conflict use_column
      DECLARE
        v_organization uuid := (p->>'organizationId')::uuid;
        v_channel uuid := (p->>'channelId')::uuid;
        v_from_kind text := p->>'fromKind';
        v_from_value text := p->>'fromValue';
        v_at timestamptz := (p->>'at')::timestamptz;
        v_reopen boolean := (p->>'reopen')::boolean;
        v_extra jsonb;
        v_candidate text;
        v_contact uuid;
        v_contact_name text;
        v_message uuid;
        v_conversation uuid;
        v_created boolean := true;
        v_new boolean := false;
        v_match uuid;
        v_match_contact uuid;
        v_match_status text;
      BEGIN
        PERFORM guichet_lock_identity(v_organization, v_from_kind, v_from_value);

        SELECT m.id, m.conversation_id INTO v_message, v_conversation
          FROM message m WHERE m.channel_id = v_channel AND m.external_id = p->>'externalId';
        IF FOUND THEN
          v_created := false;
        ELSE
          SELECT c.id, c.name INTO v_contact, v_contact_name
            FROM contact_identity i JOIN contact c ON c.id = i.contact_id
           WHERE i.organization_id = v_organization AND i.kind = v_from_kind AND i.value = v_from_value;
          IF v_contact IS NULL THEN
            INSERT INTO contact (organization_id, name) VALUES (v_organization, p->>'fromName') RETURNING contact.id INTO v_contact;
            INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES (v_organization, v_contact, v_from_kind, v_from_value);
          ELSIF p->>'fromName' IS NOT NULL AND v_contact_name IS NULL THEN
            UPDATE contact SET name = p->>'fromName', updated_at = now() WHERE contact.id = v_contact;
          END IF;

          FOR v_extra IN SELECT value FROM jsonb_array_elements(p->'extraIdentities') LOOP
            PERFORM guichet_lock_identity(v_organization, v_extra->>'kind', v_extra->>'value');
            INSERT INTO contact_identity (organization_id, contact_id, kind, value)
            VALUES (v_organization, v_contact, v_extra->>'kind', v_extra->>'value')
            ON CONFLICT (organization_id, kind, value) DO NOTHING;
          END LOOP;

          IF p->>'threadId' IS NOT NULL THEN
            SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
              FROM conversation c WHERE c.organization_id = v_organization AND c.id = (p->>'threadId')::uuid;
          END IF;
          IF v_match IS NULL AND jsonb_array_length(p->'threadExternalIds') > 0 THEN
            SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
              FROM conversation c
             WHERE c.organization_id = v_organization
               AND c.id = (SELECT m.conversation_id FROM message m
                            WHERE m.organization_id = v_organization
                              AND m.external_id IN (SELECT jsonb_array_elements_text(p->'threadExternalIds'))
                            ORDER BY m.created_at DESC LIMIT 1);
          END IF;
          IF v_match IS NULL AND p->>'threadReference' IS NOT NULL THEN
            SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
              FROM conversation c WHERE c.organization_id = v_organization AND c.reference = p->>'threadReference';
          END IF;
          IF v_match IS NULL AND (p->>'latestOpen')::boolean THEN
            SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
              FROM conversation c WHERE c.contact_id = v_contact AND c.status IN ('open', 'pending', 'snoozed')
             ORDER BY c.last_message_at DESC LIMIT 1;
          END IF;

          IF v_match IS NOT NULL AND v_match_contact = v_contact AND v_match_status <> 'closed' THEN
            UPDATE conversation c SET
              last_message_at = GREATEST(c.last_message_at, v_at), last_inbound_at = GREATEST(c.last_inbound_at, v_at),
              snippet = CASE WHEN v_at >= c.last_message_at THEN p->>'snippet' ELSE c.snippet END,
              last_channel_kind = CASE WHEN v_at >= c.last_message_at THEN p->>'channelKind' ELSE c.last_channel_kind END,
              unread = true,
              status = CASE WHEN v_reopen AND c.status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE c.status END,
              snoozed_until = CASE WHEN v_reopen THEN NULL ELSE c.snoozed_until END,
              resolved_at = CASE WHEN v_reopen THEN NULL ELSE c.resolved_at END,
              version = c.version + 1
            WHERE c.id = v_match;
            v_conversation := v_match;
          ELSE
            -- No match, a closed file, or a match that belongs to another citizen. The caller draws
            -- several random references: the next one is tried when one is already taken.
            FOR v_candidate IN SELECT jsonb_array_elements_text(p->'references') LOOP
              INSERT INTO conversation (organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                        created_at, last_message_at, last_inbound_at, snippet, last_channel_kind)
              VALUES (v_organization, v_candidate, v_contact, (p->>'teamId')::uuid, p->>'subject', v_match,
                      v_at, v_at, v_at, p->>'snippet', p->>'channelKind')
              ON CONFLICT (reference) DO NOTHING
              RETURNING conversation.id INTO v_conversation;
              EXIT WHEN v_conversation IS NOT NULL;
            END LOOP;
            IF v_conversation IS NULL THEN
              RAISE EXCEPTION 'no free conversation reference among %', p->'references' USING ERRCODE = 'unique_violation';
            END IF;
            v_new := true;
          END IF;

          INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, html_body, status, external_id, meta, created_at)
          VALUES (v_organization, v_conversation, 'inbound', p->>'kind', v_channel, p->>'body', p->>'html', 'received',
                  p->>'externalId', p->'meta', v_at)
          RETURNING message.id INTO v_message;

          INSERT INTO attachment (id, organization_id, message_id, file_name, content_type, size, sha256)
          SELECT a.id, v_organization, v_message, a."fileName", a."contentType", a.size, a.sha256
            FROM jsonb_to_recordset(p->'attachments') AS a(id uuid, "fileName" text, "contentType" text, size int, sha256 text);
        END IF;

        RETURN QUERY
          SELECT v_message, v_created, v_new, c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
                 c.assignee_id, c.contact_id, ct.name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
                 c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at,
                 c.first_response_at, c.version
            FROM conversation c JOIN contact ct ON ct.id = c.contact_id
           WHERE c.id = v_conversation;
      END
      $$`);

    // Several messages in one transaction (group commit): rows in item order, with their position.
    await q.query(INGEST_BATCH_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS guichet_ingest`);
    await q.query(`DROP FUNCTION IF EXISTS guichet_ingest_message`);
    await q.query(`DROP FUNCTION IF EXISTS guichet_lock_identity`);
  }
}
