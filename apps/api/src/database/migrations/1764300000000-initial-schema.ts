import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The conversation model (ARCHITECTURE.md). Hand-written SQL: the hot queries' indexes,
 * the French accent-insensitive text search configuration and the constraints are the
 * point of this file, and TypeORM's generator cannot express all of them.
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    await q.query(`CREATE TEXT SEARCH CONFIGURATION guichet_fr (COPY = pg_catalog.french)`);
    await q.query(
      `ALTER TEXT SEARCH CONFIGURATION guichet_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem`,
    );

    await q.query(`
      CREATE TABLE organization (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE team (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        slug text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, slug)
      )`);

    await q.query(`
      CREATE TABLE agent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        password_hash text NOT NULL,
        capacity integer NOT NULL DEFAULT 10 CHECK (capacity >= 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agent_org_idx ON agent (organization_id)`);

    await q.query(`
      CREATE TABLE agent_team (
        agent_id uuid NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES team(id) ON DELETE CASCADE,
        PRIMARY KEY (agent_id, team_id)
      )`);
    await q.query(`CREATE INDEX agent_team_team_idx ON agent_team (team_id)`);

    await q.query(`
      CREATE TABLE agent_session (
        token_hash bytea PRIMARY KEY,
        agent_id uuid NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX agent_session_agent_idx ON agent_session (agent_id)`);

    await q.query(`
      CREATE TABLE contact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        anonymized_at timestamptz,
        search tsvector GENERATED ALWAYS AS (to_tsvector('guichet_fr'::regconfig, coalesce(name, ''))) STORED
      )`);
    await q.query(`CREATE INDEX contact_org_idx ON contact (organization_id)`);
    await q.query(`CREATE INDEX contact_search_idx ON contact USING gin (search)`);

    await q.query(`
      CREATE TABLE contact_identity (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('email', 'phone', 'whatsapp', 'messenger', 'instagram')),
        value text NOT NULL,
        opted_out_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, kind, value)
      )`);
    await q.query(`CREATE INDEX contact_identity_contact_idx ON contact_identity (contact_id)`);

    await q.query(`
      CREATE TABLE channel (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        team_id uuid NOT NULL REFERENCES team(id),
        kind text NOT NULL CHECK (kind IN ('email', 'sms', 'whatsapp', 'voice', 'messenger', 'instagram', 'webform', 'pbx')),
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        config jsonb NOT NULL DEFAULT '{}',
        secrets text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX channel_org_kind_idx ON channel (organization_id, kind)`);

    await q.query(`
      CREATE TABLE conversation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        reference text NOT NULL UNIQUE,
        contact_id uuid NOT NULL REFERENCES contact(id),
        team_id uuid NOT NULL REFERENCES team(id),
        assignee_id uuid REFERENCES agent(id) ON DELETE SET NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'snoozed', 'resolved', 'closed')),
        priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
        subject text,
        snippet text,
        last_channel_kind text,
        unread boolean NOT NULL DEFAULT true,
        callback_needed boolean NOT NULL DEFAULT false,
        possibly_related_to_id uuid REFERENCES conversation(id) ON DELETE SET NULL,
        snoozed_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_message_at timestamptz NOT NULL DEFAULT now(),
        last_inbound_at timestamptz,
        first_response_at timestamptz,
        resolved_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        search tsvector GENERATED ALWAYS AS (to_tsvector('guichet_fr'::regconfig, coalesce(subject, '') || ' ' || reference)) STORED
      )`);
    // Inbox lists: keyset on (last_message_at, id) after equality filters; no Sort node.
    await q.query(
      `CREATE INDEX conversation_team_status_idx ON conversation (organization_id, team_id, status, last_message_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX conversation_team_idx ON conversation (organization_id, team_id, last_message_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX conversation_status_idx ON conversation (organization_id, status, last_message_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX conversation_org_idx ON conversation (organization_id, last_message_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX conversation_assignee_idx ON conversation (organization_id, assignee_id, last_message_at DESC, id DESC) WHERE assignee_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX conversation_unassigned_idx ON conversation (organization_id, team_id, last_message_at DESC, id DESC) WHERE assignee_id IS NULL`,
    );
    await q.query(`CREATE INDEX conversation_contact_idx ON conversation (contact_id, last_message_at DESC)`);
    await q.query(`CREATE INDEX conversation_search_idx ON conversation USING gin (search)`);

    await q.query(`
      CREATE TABLE message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        kind text NOT NULL CHECK (kind IN ('message', 'note', 'call', 'event')),
        channel_id uuid REFERENCES channel(id),
        author_agent_id uuid REFERENCES agent(id) ON DELETE SET NULL,
        body text NOT NULL DEFAULT '',
        html_body text,
        status text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'failed')),
        error text,
        external_id text,
        meta jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (to_tsvector('guichet_fr'::regconfig, left(body, 100000))) STORED,
        CONSTRAINT message_channel_external_id_key UNIQUE (channel_id, external_id)
      )`);
    await q.query(`CREATE INDEX message_conversation_idx ON message (conversation_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX message_external_id_idx ON message (organization_id, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX message_search_idx ON message USING gin (search)`);

    await q.query(`
      CREATE TABLE attachment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        message_id uuid NOT NULL REFERENCES message(id) ON DELETE CASCADE,
        file_name text NOT NULL,
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size >= 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX attachment_message_idx ON attachment (message_id)`);

    await q.query(`
      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        agent_id uuid REFERENCES agent(id) ON DELETE SET NULL,
        action text NOT NULL,
        conversation_id uuid,
        contact_id uuid,
        data jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_event_org_idx ON audit_event (organization_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX audit_event_contact_idx ON audit_event (contact_id, created_at DESC) WHERE contact_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_event_conversation_idx ON audit_event (conversation_id, created_at DESC) WHERE conversation_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE rate_limit (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL DEFAULT 0,
        PRIMARY KEY (key, window_start)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'rate_limit',
      'audit_event',
      'attachment',
      'message',
      'conversation',
      'channel',
      'contact_identity',
      'contact',
      'agent_session',
      'agent_team',
      'agent',
      'team',
      'organization',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
    await q.query(`DROP TEXT SEARCH CONFIGURATION IF EXISTS guichet_fr`);
  }
}
