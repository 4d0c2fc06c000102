import type { MigrationInterface, QueryRunner } from 'typeorm';
import { IngestFunction1764400000000 } from './1764400000000-ingest-function';

/**
 * Citizens' data never reaches a stranger (issue 10, items 1 to 3).
 *
 * 1. What each conversation holds of its citizen: `citizen_name`, the name given in it (typed in
 *    the form, the e-mail display name, the provider's profile, or what the agent typed when
 *    writing first), and `identity_ids`, the citizen's identities seen in it (the sender of each
 *    provider-vouched message, the identities typed in its form that belong to its citizen, the
 *    address an agent wrote to or added). An agent is shown of a citizen only what the
 *    conversations they may read hold; supervisors and admins see the whole file. Existing
 *    conversations are taken to hold their citizen's current name and identities, as shown before.
 *
 * 2. guichet_ingest_message() replaced (same signature) to follow the item's `sender`
 *    (`InboundSender` in libs/contracts):
 *    - `provider`: as before (identity lock, dedupe, contact by the sender's identity, threading
 *      with the sender check), except that identities given next to the sender are added only to
 *      a citizen this message creates, never to an existing one: a provider vouches for its
 *      sender only;
 *    - `typed` (the web form): the message ALWAYS opens a new conversation, flagged as possibly
 *      related to the quoted reference's file, else to the latest file of a citizen holding a typed
 *      identity. Its citizen is the one holding ALL typed identities, if one does (nothing is added
 *      to it, not even a name); otherwise a new citizen with the typed identities nobody holds: a
 *      form never adds an identity to an existing citizen and never moves one;
 *    - `tracking-link`: the token proved the conversation and that its citizen writes: appended
 *      to it (a new conversation, flagged, when it is closed), with no identity involved.
 *    The identity lock is still taken on the `from` identity only (typed identities beyond it are
 *    inserted with ON CONFLICT DO NOTHING: a race leaves them on no one, never on someone else).
 */
/** guichet_ingest_message() as this migration defines it (IngestSearchInline1764856000000 derives its own). */
export const INGEST_MESSAGE_SQL = `
      CREATE OR REPLACE FUNCTION guichet_ingest_message(p jsonb) RETURNS TABLE (
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
        v_sender text := coalesce(p->>'sender', 'provider');
        v_from_kind text := p->>'fromKind';
        v_from_value text := p->>'fromValue';
        v_from_name text := p->>'fromName';
        v_team uuid := (p->>'teamId')::uuid;
        v_at timestamptz := (p->>'at')::timestamptz;
        v_reopen boolean := (p->>'reopen')::boolean;
        v_candidate text;
        v_contact uuid;
        v_contact_name text;
        v_identity uuid;
        v_identities uuid[] := '{}';
        v_holders uuid[] := '{}';
        v_typed_identities jsonb;
        v_typed integer;
        v_held integer;
        v_message uuid;
        v_conversation uuid;
        v_created boolean := true;
        v_new boolean := false;
        v_match uuid;
        v_match_contact uuid;
        v_match_status text;
      BEGIN
        IF v_sender <> 'tracking-link' THEN
          PERFORM guichet_lock_identity(v_organization, v_from_kind, v_from_value);
        END IF;

        SELECT m.id, m.conversation_id INTO v_message, v_conversation
          FROM message m WHERE m.channel_id = v_channel AND m.external_id = p->>'externalId';
        IF FOUND THEN
          v_created := false;

        ELSIF v_sender = 'typed' THEN
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

        IF v_created THEN
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
              version = c.version + 1
            WHERE c.id = v_match;
            v_conversation := v_match;
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
              INSERT INTO conversation (organization_id, reference, contact_id, team_id, subject, possibly_related_to_id,
                                        created_at, last_message_at, last_inbound_at, snippet, last_channel_kind,
                                        citizen_name, identity_ids)
              VALUES (v_organization, v_candidate, v_contact, v_team, p->>'subject', v_match,
                      v_at, v_at, v_at, p->>'snippet', p->>'channelKind',
                      v_from_name, array_remove(v_identities, NULL))
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
                 c.assignee_id, c.contact_id, c.citizen_name, c.last_channel_kind, c.snippet, c.unread, c.callback_needed,
                 c.possibly_related_to_id, c.snoozed_until, c.created_at, c.last_message_at, c.last_inbound_at,
                 c.first_response_at, c.version
            FROM conversation c
           WHERE c.id = v_conversation;
      END
      $$`;

export class UnverifiedSenders1764500000000 implements MigrationInterface {
  name = 'UnverifiedSenders1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation ADD COLUMN citizen_name text, ADD COLUMN identity_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      UPDATE conversation c
         SET citizen_name = ct.name,
             identity_ids = ARRAY(SELECT i.id FROM contact_identity i WHERE i.contact_id = c.contact_id ORDER BY i.created_at)
        FROM contact ct WHERE ct.id = c.contact_id`);

    await q.query(INGEST_MESSAGE_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    // The previous functions, as IngestFunction1764400000000 creates them.
    const previous = new IngestFunction1764400000000();
    await previous.down(q);
    await previous.up(q);
    await q.query(`ALTER TABLE conversation DROP COLUMN IF EXISTS identity_ids, DROP COLUMN IF EXISTS citizen_name`);
  }
}
