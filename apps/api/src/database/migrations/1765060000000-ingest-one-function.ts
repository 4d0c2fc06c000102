import type { MigrationInterface, QueryRunner } from 'typeorm';
import { previousStatusFunctions } from './1764873000000-ingest-previous-status';

/** The conversation's columns each item answers, in the order of the function's result. */
const CONVERSATION_RESULT = `c.id, c.organization_id, c.reference, c.status, c.priority, c.subject, c.team_id,
                   c.assignee_id, c.contact_id, c.citizen_name, c.last_channel_kind, c.snippet, c.unread,
                   c.callback_needed, c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at,
                   c.last_inbound_at, c.first_response_at, c.version`;
/** The result columns (OUT parameters) they go into. */
const INTO_RESULT = `id, organization_id, reference, status, priority, subject, team_id,
                   assignee_id, contact_id, contact_name, last_channel_kind, snippet, unread,
                   callback_needed, possibly_related_to_id, snoozed_until, created_at, last_message_at,
                   last_inbound_at, first_response_at, version`;

/**
 * guichet_ingest() as one function: what guichet_ingest_message() did for each item (the order
 * of IngestFunction1764400000000's comment, the sender check of UnverifiedSenders1764500000000,
 * the words of IngestSearchInline1764856000000 and SearchWordsOnce1764860000001, the status
 * found of IngestPreviousStatus1764873000000) now runs in its loop.
 */
export const INGEST_FUNCTION_SQL = `
      CREATE FUNCTION guichet_ingest(p_items jsonb) RETURNS TABLE (
        ord integer, message_id uuid, created boolean, new_conversation boolean,
        id uuid, organization_id uuid, reference text, status text, priority text, subject text, team_id uuid,
        assignee_id uuid, contact_id uuid, contact_name text, last_channel_kind text, snippet text, unread boolean,
        callback_needed boolean, possibly_related_to_id uuid, snoozed_until timestamptz, created_at timestamptz,
        last_message_at timestamptz, last_inbound_at timestamptz, first_response_at timestamptz, version integer,
        previous_status text
      )
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
        v_candidate text;
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
      BEGIN
        -- The message trigger is told that the ingest puts each message's words in its
        -- conversation's row itself (IngestSearchInline1764856000000): once for the batch.
        PERFORM set_config('guichet.ingest_search', 'on', true);
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
          ord := v_ord;
          previous_status := NULL;

          IF v_sender <> 'tracking-link' THEN
            PERFORM guichet_lock_identity(v_organization, v_from_kind, v_from_value);
          END IF;

          SELECT m.id, m.conversation_id INTO v_message, v_conversation
            FROM message m WHERE m.channel_id = v_channel AND m.external_id = p->>'externalId';
          IF FOUND THEN
            -- Already stored: answered with the conversation as it is.
            SELECT ${CONVERSATION_RESULT} INTO ${INTO_RESULT} FROM conversation c WHERE c.id = v_conversation;
            CONTINUE WHEN NOT FOUND;
            message_id := v_message;
            created := false;
            new_conversation := false;
            RETURN NEXT;
            CONTINUE;
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
            SELECT c.id, c.name, i.id INTO v_contact, v_contact_name, v_identity
              FROM contact_identity i JOIN contact c ON c.id = i.contact_id
             WHERE i.organization_id = v_organization AND i.kind = v_from_kind AND i.value = v_from_value;
            IF v_contact IS NULL THEN
              INSERT INTO contact (organization_id, name) VALUES (v_organization, v_from_name) RETURNING contact.id INTO v_contact;
              INSERT INTO contact_identity (organization_id, contact_id, kind, value) VALUES (v_organization, v_contact, v_from_kind, v_from_value)
              RETURNING contact_identity.id INTO v_identity;
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
            END IF;
            v_identities := v_identity || v_identities;

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
          END IF;

          -- The message's words, as message.search holds them (SearchIgnoresMarkup1764500000012).
          v_doc := to_tsvector('guichet_fr'::regconfig, translate(left(p->>'body', 100000), '<>', '  '));
          IF v_sender <> 'typed' AND v_match IS NOT NULL AND v_match_contact = v_contact AND v_match_status <> 'closed' THEN
            UPDATE conversation c SET
              last_message_at = GREATEST(c.last_message_at, v_at), last_inbound_at = GREATEST(c.last_inbound_at, v_at),
              snippet = CASE WHEN v_at >= c.last_message_at THEN p->>'snippet' ELSE c.snippet END,
              last_channel_kind = CASE WHEN v_at >= c.last_message_at THEN p->>'channelKind' ELSE c.last_channel_kind END,
              unread = true,
              status = CASE WHEN v_reopen AND c.status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE c.status END,
              snoozed_until = CASE WHEN v_reopen THEN NULL ELSE c.snoozed_until END,
              resolved_at = CASE WHEN v_reopen THEN NULL ELSE c.resolved_at END,
              citizen_name = coalesce(c.citizen_name, v_from_name),
              identity_ids = CASE WHEN v_identity IS NULL OR v_identity = ANY(c.identity_ids) THEN c.identity_ids
                                  ELSE c.identity_ids || v_identity END,
              version = c.version + 1,
              messages_search = guichet_search_concat(c.messages_search, v_doc)
            WHERE c.id = v_match
            RETURNING old.status, ${CONVERSATION_RESULT} INTO previous_status, ${INTO_RESULT};
            v_conversation := v_match;
            new_conversation := false;
          ELSE
            -- A form, no match, a closed file, or a match that belongs to another citizen. The name
            -- shown is the one given here, else (not for a form) the one this service already holds.
            IF v_from_name IS NULL AND v_sender <> 'typed' THEN
              SELECT c.citizen_name INTO v_from_name FROM conversation c
               WHERE c.contact_id = v_contact AND c.team_id = v_team AND c.citizen_name IS NOT NULL
               ORDER BY c.last_message_at DESC LIMIT 1;
            END IF;
            -- The caller draws several random references: the next one is tried when one is taken.
            FOR v_candidate IN SELECT jsonb_array_elements_text(p->'references') LOOP
              INSERT INTO conversation AS c (organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                             created_at, last_message_at, last_inbound_at, snippet, last_channel_kind,
                                             citizen_name, identity_ids, messages_search)
              VALUES (v_organization, v_candidate, v_contact, v_team, p->>'subject', v_match,
                      v_at, v_at, v_at, p->>'snippet', p->>'channelKind',
                      v_from_name, array_remove(v_identities, NULL), v_doc)
              ON CONFLICT (reference) DO NOTHING
              RETURNING ${CONVERSATION_RESULT} INTO ${INTO_RESULT};
              v_conversation := id;
              EXIT WHEN v_conversation IS NOT NULL;
            END LOOP;
            IF v_conversation IS NULL THEN
              RAISE EXCEPTION 'no free conversation reference among %', p->'references' USING ERRCODE = 'unique_violation';
            END IF;
            new_conversation := true;
          END IF;

          INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, html_body, status, external_id, meta, created_at, search)
          VALUES (v_organization, v_conversation, 'inbound', p->>'kind', v_channel, p->>'body', p->>'html', 'received',
                  p->>'externalId', p->'meta', v_at, v_doc)
          RETURNING message.id INTO v_message;

          IF jsonb_array_length(p->'attachments') > 0 THEN
            INSERT INTO attachment (id, organization_id, message_id, file_name, content_type, size, sha256)
            SELECT a.id, v_organization, v_message, a."fileName", a."contentType", a.size, a.sha256
              FROM jsonb_to_recordset(p->'attachments') AS a(id uuid, "fileName" text, "contentType" text, size int, sha256 text);
          END IF;

          message_id := v_message;
          created := true;
          RETURN NEXT;
        END LOOP;
        PERFORM set_config('guichet.ingest_search', 'off', true);
      END
      $$`;

/**
 * The ingest's batch in one PL/pgSQL function instead of a loop calling guichet_ingest_message()
 * per item (issue 11: the ingest must hold its throughput). A profile of the database server
 * (perf, 2 × 1,900 messages of the benchmark's mix) showed that much of its CPU went to starting
 * statements rather than to the rows: each statement's executor start-up, and for each INSERT or
 * UPDATE of `conversation` its CHECK constraints and generated columns parsed and planned again.
 * Per item, this saves:
 *  - the call of guichet_ingest_message() (a function scan and its result materialized);
 *  - the SELECT of the conversation at the end: the INSERT or UPDATE returns its columns;
 *  - the two set_config() around the INSERT INTO message: once for the batch;
 *  - the INSERT INTO attachment when the message has none.
 * Behaviour is unchanged (same checks, same locks in the same order, same rows, same result).
 * Measured (the benchmark's batches replayed on 2 connections, the two definitions alternated 6
 * times in one run on a machine at load 17): 0.83 ms of database CPU per message either way, the
 * gain is within the noise; the profile's remaining cost is in the rows' work (indexes, foreign
 * keys, the counters' trigger, generated columns, CHECK constraints prepared per statement).
 * It also ends the chain of text edits the function's definition had become (five migrations).
 */
export class IngestOneFunction1765060000000 implements MigrationInterface {
  name = 'IngestOneFunction1765060000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION guichet_ingest(jsonb)`);
    await q.query(`DROP FUNCTION guichet_ingest_message(jsonb)`);
    await q.query(INGEST_FUNCTION_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION guichet_ingest(jsonb)`);
    for (const sql of previousStatusFunctions()) await q.query(sql);
  }
}
