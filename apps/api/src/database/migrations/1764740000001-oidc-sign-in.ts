import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in through OpenID Connect providers (ProConnect, Keycloak…) per organization, the
 * short-lived login attempts of the authorization code flow, and what an agent's session list
 * shows (how it was opened, from which browser and address, when last used).
 */
export class OidcSignIn1764740000001 implements MigrationInterface {
  name = 'OidcSignIn1764740000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_provider (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('proconnect', 'oidc')),
        label text NOT NULL,
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_enc text NOT NULL,
        allowed_domains text[] NOT NULL DEFAULT '{}',
        scopes text NOT NULL,
        signing_alg text NOT NULL,
        signed_userinfo boolean NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX oidc_provider_org_idx ON oidc_provider (organization_id)`);
    await q.query(`
      CREATE TABLE oidc_login (
        state_hash bytea PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES oidc_provider(id) ON DELETE CASCADE,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oidc_login_expires_idx ON oidc_login (expires_at)`);
    await q.query(`
      ALTER TABLE agent_session
        ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid(),
        ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc')),
        ADD COLUMN oidc_provider_id uuid REFERENCES oidc_provider(id) ON DELETE SET NULL,
        ADD COLUMN id_token text,
        ADD COLUMN user_agent text,
        ADD COLUMN ip text,
        ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE UNIQUE INDEX agent_session_public_id_idx ON agent_session (public_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS agent_session_public_id_idx`);
    await q.query(`
      ALTER TABLE agent_session DROP COLUMN public_id, DROP COLUMN method, DROP COLUMN oidc_provider_id,
        DROP COLUMN id_token, DROP COLUMN user_agent, DROP COLUMN ip, DROP COLUMN last_seen_at`);
    await q.query(`DROP TABLE IF EXISTS oidc_login`);
    await q.query(`DROP TABLE IF EXISTS oidc_provider`);
  }
}
