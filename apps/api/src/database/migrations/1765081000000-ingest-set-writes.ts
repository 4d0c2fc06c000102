import type { MigrationInterface, QueryRunner } from 'typeorm';
import { latestFileIngestSql } from './1765060000001-sms-thread-latest-file';

/** The result of guichet_ingest() (IngestOneFunction1765060000000), which the flush returns too. */
const RESULT = `ord integer, message_id uuid, created boolean, new_conversation boolean,
        id uuid, organization_id uuid, reference text, status text, priority text, subject text, team_id uuid,
        assignee_id uuid, contact_id uuid, contact_name text, last_channel_kind text, snippet text, unread boolean,
        callback_needed boolean, possibly_related_to_id uuid, snoozed_until timestamptz, created_at timestamptz,
        last_message_at timestamptz, last_inbound_at timestamptz, first_response_at timestamptz, version integer,
        previous_status text`;
/** The conversation's columns each item answers, in the order of the result (after new_conversation). */
const CONVERSATION_RESULT = (
  c: string,
) => `${c}.id, ${c}.organization_id, ${c}.reference, ${c}.status, ${c}.priority, ${c}.subject,
             ${c}.team_id, ${c}.assignee_id, ${c}.contact_id, ${c}.citizen_name, ${c}.last_channel_kind, ${c}.snippet,
             ${c}.unread, ${c}.callback_needed, ${c}.possibly_related_to_id, ${c}.snoozed_until, ${c}.created_at,
             ${c}.last_message_at, ${c}.last_inbound_at, ${c}.first_response_at, ${c}.version`;
const INTO_RESULT = `id, organization_id, reference, status, priority, subject, team_id,
                   assignee_id, contact_id, contact_name, last_channel_kind, snippet, unread,
                   callback_needed, possibly_related_to_id, snoozed_until, created_at, last_message_at,
                   last_inbound_at, first_response_at, version`;

/**
 * What an item decided and has not written yet: its conversation (`is_new`: to create with this
 * id, else to append to), its message's id, and the values the writes take from the loop.
 */
const PENDING_TYPE_SQL = `
  CREATE TYPE guichet_ingest_pending AS (
    ord integer, item jsonb, is_new boolean, conversation_id uuid, message_id uuid, contact_id uuid, new_contact boolean,
    match_id uuid, citizen_name text, identity_ids uuid[], identity_id uuid, doc tsvector, at timestamptz, reopen boolean
  )`;

/**
 * The writes of the items decided since the last flush, one statement per table: the new
 * conversations (each with the first of its caller's references still free, tried in turn as the
 * loop did), then the appends, messages and attachments, returning each item's row as the loop
 * returned it.
 */
const FLUSH_SQL = `
  CREATE FUNCTION guichet_ingest_flush(p_pending guichet_ingest_pending[]) RETURNS TABLE (${RESULT})
  LANGUAGE plpgsql VOLATILE ROWS 8
  -- Planned once per connection: a batch's size changes the estimates, never the plan (index scans).
  SET plan_cache_mode = force_generic_plan AS $$
  #variable_conflict use_column
  DECLARE
    v_new integer;
    v_new_contacts integer;
    v_appended uuid[];
    v_done uuid[] := '{}';
    v_k integer := 0;
    v_full jsonb;
  BEGIN
    SELECT count(*) FILTER (WHERE q.is_new), count(*) FILTER (WHERE q.new_contact),
           coalesce(array_agg(q.conversation_id) FILTER (WHERE NOT q.is_new), '{}')
      INTO v_new, v_new_contacts, v_appended
      FROM unnest(p_pending) q;
    -- New citizens: the contact and the sender's identity, with the ids the loop drew.
    IF v_new_contacts > 0 THEN
      WITH contacts AS (
        INSERT INTO contact (id, organization_id, name)
        SELECT q.contact_id, (q.item->>'organizationId')::uuid, q.item->>'fromName'
          FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord
      )
      INSERT INTO contact_identity (id, organization_id, contact_id, kind, value)
      SELECT q.identity_id, (q.item->>'organizationId')::uuid, q.contact_id, q.item->>'fromKind', q.item->>'fromValue'
        FROM unnest(p_pending) q WHERE q.new_contact ORDER BY q.ord;
    END IF;
    WHILE cardinality(v_done) < v_new LOOP
      v_k := v_k + 1;
      SELECT q.item->'references' INTO v_full FROM unnest(p_pending) q
       WHERE q.is_new AND q.conversation_id <> ALL(v_done) AND coalesce(jsonb_array_length(q.item->'references'), 0) < v_k
       ORDER BY q.ord LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'no free conversation reference among %', v_full USING ERRCODE = 'unique_violation';
      END IF;
      WITH added AS (
        INSERT INTO conversation AS c (id, organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                       created_at, last_message_at, last_inbound_at, snippet, last_channel_kind,
                                       citizen_name, identity_ids, messages_search)
        SELECT q.conversation_id, (q.item->>'organizationId')::uuid, q.item->'references'->>(v_k - 1), q.contact_id,
               (q.item->>'teamId')::uuid, q.item->>'subject', q.match_id,
               q.at, q.at, q.at, q.item->>'snippet', q.item->>'channelKind',
               q.citizen_name, q.identity_ids, q.doc
          FROM unnest(p_pending) q
         WHERE q.is_new AND q.conversation_id <> ALL(v_done)
         ORDER BY q.ord
        ON CONFLICT (reference) DO NOTHING
        RETURNING c.id
      )
      SELECT v_done || coalesce(array_agg(added.id), '{}') INTO v_done FROM added;
    END LOOP;

    RETURN QUERY
    WITH appended AS (
      UPDATE conversation c SET
        last_message_at = GREATEST(c.last_message_at, q.at), last_inbound_at = GREATEST(c.last_inbound_at, q.at),
        snippet = CASE WHEN q.at >= c.last_message_at THEN q.item->>'snippet' ELSE c.snippet END,
        last_channel_kind = CASE WHEN q.at >= c.last_message_at THEN q.item->>'channelKind' ELSE c.last_channel_kind END,
        unread = true,
        status = CASE WHEN q.reopen AND c.status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE c.status END,
        snoozed_until = CASE WHEN q.reopen THEN NULL ELSE c.snoozed_until END,
        resolved_at = CASE WHEN q.reopen THEN NULL ELSE c.resolved_at END,
        citizen_name = coalesce(c.citizen_name, q.citizen_name),
        identity_ids = CASE WHEN q.identity_id IS NULL OR q.identity_id = ANY(c.identity_ids) THEN c.identity_ids
                            ELSE c.identity_ids || q.identity_id END,
        version = c.version + 1,
        messages_search = guichet_search_concat(c.messages_search, q.doc)
      FROM unnest(p_pending) q
      -- (= ANY: the rows found by primary key whatever the plan's estimate of the batch)
      WHERE NOT q.is_new AND c.id = q.conversation_id AND c.id = ANY(v_appended)
      RETURNING q.ord, q.message_id, ${CONVERSATION_RESULT('c')}, old.status AS previous_status
    ),
    messages AS (
      INSERT INTO message (id, organization_id, conversation_id, direction, kind, channel_id, body, html_body, status,
                           external_id, meta, created_at, search)
      SELECT q.message_id, (q.item->>'organizationId')::uuid, q.conversation_id, 'inbound', q.item->>'kind',
             (q.item->>'channelId')::uuid, q.item->>'body', q.item->>'html', 'received',
             q.item->>'externalId', q.item->'meta', q.at, q.doc
        FROM unnest(p_pending) q ORDER BY q.ord
    ),
    attachments AS (
      INSERT INTO attachment (id, organization_id, message_id, file_name, content_type, size, sha256)
      SELECT a.id, (q.item->>'organizationId')::uuid, q.message_id, a."fileName", a."contentType", a.size, a.sha256
        FROM unnest(p_pending) q,
             jsonb_to_recordset(q.item->'attachments') AS a(id uuid, "fileName" text, "contentType" text, size int, sha256 text)
    )
    SELECT a.ord, a.message_id, true, false, ${CONVERSATION_RESULT('a')}, a.previous_status FROM appended a
    UNION ALL
    -- Written by the INSERT above (an earlier statement): this statement's snapshot sees them as it returned them.
    SELECT q.ord, q.message_id, true, true, ${CONVERSATION_RESULT('c')}, NULL::text
      FROM unnest(p_pending) q JOIN conversation c ON c.id = q.conversation_id AND c.id = ANY(v_done)
     WHERE q.is_new;
  END
  $$`;

/** Writes what the loop has decided so far, and starts again with nothing pending. */
const FLUSH = `RETURN QUERY SELECT * FROM guichet_ingest_flush(v_pending);
            v_pending := '{}'; v_conversations := '{}'; v_contacts := '{}'; v_identity_keys := '{}';
            v_references := '[]'; v_external_ids := '[]';`;

/**
 * guichet_ingest() as IngestOneFunction1765060000000 and SmsThreadLatestFile1765060000001 define
 * it, the same decisions in the same order, but each item's conversation, message and attachment
 * rows are kept (guichet_ingest_pending) and written with those of the other items, by
 * guichet_ingest_flush(): at the end of the batch, or before an item whose reads could see them.
 */
const INGEST_SQL = `
      CREATE OR REPLACE FUNCTION guichet_ingest(p_items jsonb) RETURNS TABLE (${RESULT})
      LANGUAGE plpgsql VOLATILE ROWS 8 AS $$
      #variable_conflict use_column
      DECLARE
        p jsonb;
        v_ord bigint;
        v_organization uuid;
        v_channel uuid;
        v_sender text;
        v_from_kind text;
        v_from_value text;
        v_from_name text;
        v_team uuid;
        v_at timestamptz;
        v_reopen boolean;
        v_contact uuid;
        v_contact_name text;
        v_identity uuid;
        v_identities uuid[];
        v_holders uuid[];
        v_typed_identities jsonb;
        v_typed integer;
        v_held integer;
        v_message uuid;
        v_conversation uuid;
        v_match uuid;
        v_match_contact uuid;
        v_match_status text;
        v_doc tsvector;
        v_fresh boolean;
        v_deferred boolean;
        v_stored_ords integer[];
        v_stored_messages uuid[];
        v_stored_conversations uuid[];
        v_i integer;
        v_key text;
        v_known_ords integer[];
        v_known_contacts uuid[];
        v_known_names text[];
        v_known_identities uuid[];
        -- The identities this batch adds (or tries to), the citizens it names: found again, not from step 3.
        v_made_identities text[] := '{}';
        v_named uuid[] := '{}';
        -- What is decided and not yet written, and what it could hide from a read.
        v_pending guichet_ingest_pending[] := '{}';
        -- (v_keys: the events this batch stores, written or not.)
        v_keys text[] := '{}';
        v_conversations uuid[] := '{}';
        v_contacts uuid[] := '{}';
        v_identity_keys text[] := '{}';
        v_references jsonb := '[]';
        v_external_ids jsonb := '[]';
      BEGIN
        -- The message trigger is told that the ingest puts each message's words in its
        -- conversation's row itself (IngestSearchInline1764856000000): once for the batch.
        PERFORM set_config('guichet.ingest_search', 'on', true);
        -- 1. Each sender's identity lock (guichet_lock_identity: every path that creates or moves an
        -- identity takes it), in batch order (sorted by the caller): all before any read.
        PERFORM guichet_lock_identity((e.value->>'organizationId')::uuid, e.value->>'fromKind', e.value->>'fromValue')
           FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e
          WHERE coalesce(e.value->>'sender', 'provider') <> 'tracking-link'
          ORDER BY e.ordinality;
        -- 2. Dedupe on (channel, external id): the messages stored before this batch.
        SELECT coalesce(array_agg(e.ordinality::integer), '{}'), coalesce(array_agg(m.id), '{}'),
               coalesce(array_agg(m.conversation_id), '{}')
          INTO v_stored_ords, v_stored_messages, v_stored_conversations
          FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e,
               LATERAL (SELECT m.id, m.conversation_id FROM message m
                         WHERE m.channel_id = (e.value->>'channelId')::uuid AND m.external_id = e.value->>'externalId'
                         LIMIT 1) m;
        -- 3. The citizen of each provider-vouched sender, as before this batch.
        SELECT coalesce(array_agg(e.ordinality::integer), '{}'), coalesce(array_agg(k.contact_id), '{}'),
               coalesce(array_agg(k.name), '{}'), coalesce(array_agg(k.identity_id), '{}')
          INTO v_known_ords, v_known_contacts, v_known_names, v_known_identities
          FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e,
               LATERAL (SELECT c.id AS contact_id, c.name, i.id AS identity_id
                          FROM contact_identity i JOIN contact c ON c.id = i.contact_id
                         WHERE i.organization_id = (e.value->>'organizationId')::uuid AND i.kind = e.value->>'fromKind'
                           AND i.value = e.value->>'fromValue'
                         LIMIT 1) k
         WHERE coalesce(e.value->>'sender', 'provider') NOT IN ('typed', 'tracking-link');
        FOR p, v_ord IN SELECT e.value, e.ordinality FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e LOOP
          v_organization := (p->>'organizationId')::uuid;
          v_channel := (p->>'channelId')::uuid;
          v_sender := coalesce(p->>'sender', 'provider');
          v_from_kind := p->>'fromKind';
          v_from_value := p->>'fromValue';
          v_from_name := p->>'fromName';
          v_team := (p->>'teamId')::uuid;
          v_at := (p->>'at')::timestamptz;
          v_reopen := (p->>'reopen')::boolean;
          v_contact := NULL;
          v_contact_name := NULL;
          v_identity := NULL;
          v_identities := '{}';
          v_holders := '{}';
          v_message := NULL;
          v_conversation := NULL;
          v_match := NULL;
          v_match_contact := NULL;
          v_match_status := NULL;
          v_fresh := false;
          v_deferred := false;
          ord := v_ord;
          previous_status := NULL;

          v_i := array_position(v_stored_ords, v_ord::integer);
          IF v_i IS NOT NULL THEN
            v_message := v_stored_messages[v_i];
            v_conversation := v_stored_conversations[v_i];
          ELSIF (v_channel || ' ' || (p->>'externalId')) = ANY(v_keys) THEN
            -- The same event twice in this batch: the first one written, the second finds it.
            IF cardinality(v_pending) > 0 THEN
              ${FLUSH}
            END IF;
            SELECT m.id, m.conversation_id INTO v_message, v_conversation
              FROM message m WHERE m.channel_id = v_channel AND m.external_id = p->>'externalId';
          END IF;
          IF v_message IS NOT NULL THEN
            -- Already stored: answered with the conversation as it is (this batch's writes to it included).
            IF v_conversation = ANY(v_conversations) THEN
              ${FLUSH}
            END IF;
            SELECT ${CONVERSATION_RESULT('c')} INTO ${INTO_RESULT} FROM conversation c WHERE c.id = v_conversation;
            CONTINUE WHEN NOT FOUND;
            message_id := v_message;
            created := false;
            new_conversation := false;
            RETURN NEXT;
            CONTINUE;
          END IF;

          -- Rare senders whose reads reach other citizens' files: after this batch's writes.
          IF v_sender IN ('typed', 'tracking-link') AND cardinality(v_pending) > 0 THEN
            ${FLUSH}
          END IF;

          IF v_sender = 'typed' THEN
            -- What a person typed proves nothing: find who holds each typed identity, add to no one.
            v_typed_identities := jsonb_build_array(jsonb_build_object('kind', v_from_kind, 'value', v_from_value)) || (p->'extraIdentities');
            SELECT count(*)::integer, count(i.id)::integer,
                   coalesce(array_agg(DISTINCT i.contact_id) FILTER (WHERE i.id IS NOT NULL), '{}'),
                   coalesce(array_agg(i.id) FILTER (WHERE i.id IS NOT NULL), '{}')
              INTO v_typed, v_held, v_holders, v_identities
              FROM jsonb_to_recordset(v_typed_identities) AS t(kind text, value text)
              LEFT JOIN contact_identity i ON i.organization_id = v_organization AND i.kind = t.kind AND i.value = t.value;
            IF v_held = v_typed AND cardinality(v_holders) = 1 THEN
              v_contact := v_holders[1];
            ELSE
              INSERT INTO contact (organization_id, name) VALUES (v_organization, v_from_name) RETURNING contact.id INTO v_contact;
              v_made_identities := v_made_identities || ARRAY(
                SELECT v_organization || ' ' || t.kind || ' ' || t.value
                  FROM jsonb_to_recordset(v_typed_identities) AS t(kind text, value text));
              WITH added AS (
                INSERT INTO contact_identity (organization_id, contact_id, kind, value)
                SELECT v_organization, v_contact, t.kind, t.value FROM jsonb_to_recordset(v_typed_identities) AS t(kind text, value text)
                ON CONFLICT (organization_id, kind, value) DO NOTHING
                RETURNING contact_identity.id
              )
              SELECT coalesce(array_agg(added.id), '{}') INTO v_identities FROM added;
            END IF;
            -- Candidates only flag the new conversation for the agent: never an append.
            IF p->>'threadReference' IS NOT NULL THEN
              SELECT c.id INTO v_match FROM conversation c WHERE c.organization_id = v_organization AND c.reference = p->>'threadReference';
            END IF;
            IF v_match IS NULL AND cardinality(v_holders) > 0 THEN
              SELECT c.id INTO v_match FROM conversation c WHERE c.contact_id = ANY(v_holders) ORDER BY c.last_message_at DESC LIMIT 1;
            END IF;

          ELSIF v_sender = 'tracking-link' THEN
            SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
              FROM conversation c WHERE c.organization_id = v_organization AND c.id = (p->>'threadId')::uuid;
            IF v_match IS NULL THEN
              RAISE EXCEPTION 'tracked conversation % not found', p->>'threadId' USING ERRCODE = 'no_data_found';
            END IF;
            v_contact := v_match_contact;

          ELSE
            v_key := v_organization || ' ' || v_from_kind || ' ' || v_from_value;
            -- A citizen this batch creates and has not written yet: written first.
            IF v_key = ANY(v_identity_keys) THEN
              ${FLUSH}
            END IF;
            v_i := array_position(v_known_ords, v_ord::integer);
            IF v_key = ANY(v_made_identities) OR v_known_contacts[v_i] = ANY(v_named) THEN
              SELECT c.id, c.name, i.id INTO v_contact, v_contact_name, v_identity
                FROM contact_identity i JOIN contact c ON c.id = i.contact_id
               WHERE i.organization_id = v_organization AND i.kind = v_from_kind AND i.value = v_from_value;
            ELSIF v_i IS NOT NULL THEN
              v_contact := v_known_contacts[v_i];
              v_contact_name := v_known_names[v_i];
              v_identity := v_known_identities[v_i];
            END IF;
            v_fresh := v_contact IS NULL;
            IF v_fresh AND jsonb_array_length(p->'extraIdentities') = 0 THEN
              -- A new citizen (written by the flush, with these ids): the sender's identity only.
              v_contact := gen_random_uuid();
              v_identity := gen_random_uuid();
              v_deferred := true;
            ELSIF v_fresh THEN
              -- Extras go to no one who holds them: this batch's new identities written first.
              IF cardinality(v_pending) > 0 THEN
                ${FLUSH}
              END IF;
              INSERT INTO contact (organization_id, name) VALUES (v_organization, v_from_name) RETURNING contact.id INTO v_contact;
              INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES (v_organization, v_contact, v_from_kind, v_from_value)
              RETURNING contact_identity.id INTO v_identity;
              v_made_identities := v_made_identities || v_key || ARRAY(
                SELECT v_organization || ' ' || t.kind || ' ' || t.value
                  FROM jsonb_to_recordset(p->'extraIdentities') AS t(kind text, value text));
              -- Identities given next to the sender go to the citizen this message creates, when nobody
              -- holds them; never to an existing citizen (a provider vouches for its sender only).
              IF jsonb_array_length(p->'extraIdentities') > 0 THEN
                WITH added AS (
                  INSERT INTO contact_identity (organization_id, contact_id, kind, value)
                  SELECT v_organization, v_contact, t.kind, t.value FROM jsonb_to_recordset(p->'extraIdentities') AS t(kind text, value text)
                  ON CONFLICT (organization_id, kind, value) DO NOTHING
                  RETURNING contact_identity.id
                )
                SELECT coalesce(array_agg(added.id), '{}') INTO v_identities FROM added;
              END IF;
            ELSIF v_from_name IS NOT NULL AND v_contact_name IS NULL THEN
              UPDATE contact SET name = v_from_name, updated_at = now() WHERE contact.id = v_contact;
              v_named := v_named || v_contact;
            END IF;
            v_identities := v_identity || v_identities;

            -- Reads that could meet this batch's unwritten rows: the citizen's files, or a
            -- candidate of this batch (its id, references or messages).
            IF v_contact = ANY(v_contacts)
               OR (p->>'threadId')::uuid = ANY(v_conversations)
               OR v_references ? (p->>'threadReference')
               OR (jsonb_array_length(p->'threadExternalIds') > 0 AND jsonb_array_length(v_external_ids) > 0
                   AND v_external_ids ?| ARRAY(SELECT jsonb_array_elements_text(p->'threadExternalIds'))) THEN
              ${FLUSH}
            END IF;

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
            -- A new citizen has no file yet: nothing to find by contact.
            IF v_match IS NULL AND (p->>'latestOpen')::boolean AND NOT v_fresh THEN
              SELECT c.id, c.contact_id, c.status INTO v_match, v_match_contact, v_match_status
                FROM conversation c WHERE c.contact_id = v_contact AND c.status IN ('open', 'pending', 'snoozed')
               ORDER BY c.last_message_at DESC LIMIT 1;
              -- No file in progress: a new file, flagged as related to the citizen's latest one
              -- (resolved, or closed e.g. as transmitted); never appended to it (no contact or status
              -- read: the append's condition is false).
              IF v_match IS NULL THEN
                SELECT c.id INTO v_match FROM conversation c WHERE c.contact_id = v_contact
                 ORDER BY c.last_message_at DESC LIMIT 1;
              END IF;
            END IF;
          END IF;

          -- The message's words, as message.search holds them (SearchIgnoresMarkup1764500000012).
          v_doc := to_tsvector('guichet_fr'::regconfig, translate(left(p->>'body', 100000), '<>', '  '));
          IF v_sender <> 'typed' AND v_match IS NOT NULL AND v_match_contact = v_contact AND v_match_status <> 'closed' THEN
            -- Appended (written by the flush, which returns the row and the status it found).
            v_pending := v_pending || ROW(v_ord::integer, p, false, v_match, gen_random_uuid(), v_contact, false, NULL, v_from_name,
                                          NULL, v_identity, v_doc, v_at, v_reopen)::guichet_ingest_pending;
            v_conversations := v_conversations || v_match;
          ELSE
            -- A form, no match, a closed file, or a match that belongs to another citizen. The name
            -- shown is the one given here, else (not for a form) the one this service already holds.
            IF v_from_name IS NULL AND v_sender <> 'typed' AND NOT v_fresh THEN
              SELECT c.citizen_name INTO v_from_name FROM conversation c
               WHERE c.contact_id = v_contact AND c.team_id = v_team AND c.citizen_name IS NOT NULL
               ORDER BY c.last_message_at DESC LIMIT 1;
            END IF;
            -- A new file (written by the flush, with the first free reference the caller drew).
            v_conversation := gen_random_uuid();
            v_pending := v_pending || ROW(v_ord::integer, p, true, v_conversation, gen_random_uuid(), v_contact,
                                          v_deferred, v_match, v_from_name,
                                          array_remove(v_identities, NULL), v_identity, v_doc, v_at, v_reopen)::guichet_ingest_pending;
            v_conversations := v_conversations || v_conversation;
            v_references := v_references || (p->'references');
          END IF;
          v_keys := v_keys || (v_channel || ' ' || (p->>'externalId'));
          v_contacts := v_contacts || v_contact;
          IF v_deferred THEN
            v_identity_keys := v_identity_keys || v_key;
            v_made_identities := v_made_identities || v_key;
          END IF;
          v_external_ids := v_external_ids || jsonb_build_array(p->>'externalId');
        END LOOP;
        IF cardinality(v_pending) > 0 THEN
          ${FLUSH}
        END IF;
        PERFORM set_config('guichet.ingest_search', 'off', true);
      END
      $$`;

/**
 * Set-based writes for the ingest's batch (issue 11: ingest ≥ 25 % of raw INSERT commits). The
 * loop wrote each item in statements of its own (a contact, its identity, a conversation INSERT or
 * UPDATE, a message), and a write statement costs its start-up whatever its row count: CHECK
 * constraints, generated columns and triggers prepared, for `conversation` the counters'
 * statement trigger run with its transition tables and one conversation_count row appended. Now:
 *  1. the identity locks of the whole batch in one statement, in batch order (the caller sorts
 *     the items), before any read — as the loop took them, item after item;
 *  2. the dedupe of the whole batch in one statement (messages stored before it);
 *  3. the loop reads and decides as before (contact found, thread candidates, sender check), but
 *     keeps what it decides (guichet_ingest_pending): a new citizen (contact and sender identity,
 *     ids drawn here), a new file (id drawn here) or an append, the message;
 *  4. guichet_ingest_flush() writes them: contacts and identities in one statement, new files in
 *     one (each with the first free reference its caller drew, tried in turn), appends, messages
 *     and attachments in one, and returns each item's row as the loop did.
 *
 * Same semantics: a read of the loop that could see a row decided and not yet written flushes
 * first — the same event twice in the batch; the already stored message of a file this batch
 * writes to; a sender whose identity this batch creates, or whose citizen has a message in it
 * (latest open file, name held, append); a thread candidate among the batch's new file ids,
 * references or message ids; extra identities (added only where nobody holds them); typed and
 * tracking-link senders, whose reads reach other citizens — so each read sees what it saw when
 * every item was written at once. An append changes neither a file's contact nor whether it is
 * closed, so reading another citizen's file (contact, status) is not changed by a pending append.
 * A citizen created by this item has no file yet: the reads by contact are skipped. Counters: one
 * conversation_count row per key and statement instead of one per item, the same sums.
 */
export class IngestSetWrites1765081000000 implements MigrationInterface {
  name = 'IngestSetWrites1765081000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(PENDING_TYPE_SQL);
    await q.query(FLUSH_SQL);
    await q.query(INGEST_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION guichet_ingest(jsonb)`);
    await q.query(latestFileIngestSql());
    await q.query(`DROP FUNCTION guichet_ingest_flush(guichet_ingest_pending[])`);
    await q.query(`DROP TYPE guichet_ingest_pending`);
  }
}
