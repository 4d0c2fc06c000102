import { Injectable } from '@nestjs/common';
import type { AgentRole, OidcProviderKind } from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database } from '../../../common/database';
import { NO_PASSWORD } from '../../../common/password';
import { tokenHash } from '../auth.repository';

export interface OidcProviderRow {
  id: string;
  organization_id: string;
  organization_name: string;
  /** The provider's town is archived: nobody signs in through it. */
  organization_archived: boolean;
  kind: OidcProviderKind;
  label: string;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  allowed_domains: string[];
  scopes: string;
  signing_alg: 'RS256' | 'ES256' | 'PS256';
  signed_userinfo: boolean;
  enabled: boolean;
  updated_at: Date;
}

export interface OidcProviderWrite {
  kind: OidcProviderKind;
  label: string;
  issuer: string;
  clientId: string;
  clientSecretEnc: string;
  allowedDomains: string[];
  scopes: string;
  signingAlg: string;
  signedUserinfo: boolean;
  enabled: boolean;
}

export interface AgentForSignIn {
  id: string;
  organization_id: string;
  active: boolean;
  /** Invited and not yet signed in (no password chosen): the first sign-in takes the invitation. */
  invited: boolean;
}

const PROVIDER_COLUMNS = `p.id, p.organization_id, o.name AS organization_name, o.archived_at IS NOT NULL AS organization_archived, p.kind, p.label, p.issuer, p.client_id,
  p.client_secret_enc, p.allowed_domains, p.scopes, p.signing_alg, p.signed_userinfo, p.enabled, p.updated_at`;

/** OIDC providers of organizations, the login attempts in flight, and the agents they sign in. */
@Injectable()
export class OidcRepository {
  constructor(private readonly db: Database) {}

  list(organizationId: string): Promise<OidcProviderRow[]> {
    return this.db.query<OidcProviderRow>(
      `SELECT ${PROVIDER_COLUMNS} FROM oidc_provider p JOIN organization o ON o.id = p.organization_id
        WHERE p.organization_id = $1 ORDER BY p.created_at, p.id`,
      [organizationId],
    );
  }

  /** Every enabled provider (the login page's buttons; one organization or a platform of several). */
  listEnabled(): Promise<OidcProviderRow[]> {
    return this.db.query<OidcProviderRow>(
      `SELECT ${PROVIDER_COLUMNS} FROM oidc_provider p JOIN organization o ON o.id = p.organization_id
        WHERE p.enabled AND o.archived_at IS NULL ORDER BY o.name, p.created_at, p.id`,
    );
  }

  /** A provider by id; scoped to an organization when one is given. */
  async find(id: string, organizationId?: string, manager?: EntityManager): Promise<OidcProviderRow | null> {
    const [row] = await this.db.query<OidcProviderRow>(
      `SELECT ${PROVIDER_COLUMNS} FROM oidc_provider p JOIN organization o ON o.id = p.organization_id
        WHERE p.id = $1 AND ($2::uuid IS NULL OR p.organization_id = $2)`,
      [id, organizationId ?? null],
      manager,
    );
    return row ?? null;
  }

  async insert(m: EntityManager, id: string, organizationId: string, w: OidcProviderWrite): Promise<void> {
    await this.db.query(
      `INSERT INTO oidc_provider (id, organization_id, kind, label, issuer, client_id, client_secret_enc, allowed_domains,
                                  scopes, signing_alg, signed_userinfo, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        organizationId,
        w.kind,
        w.label,
        w.issuer,
        w.clientId,
        w.clientSecretEnc,
        w.allowedDomains,
        w.scopes,
        w.signingAlg,
        w.signedUserinfo,
        w.enabled,
      ],
      m,
    );
  }

  async update(m: EntityManager, id: string, w: OidcProviderWrite): Promise<void> {
    await this.db.query(
      `UPDATE oidc_provider SET kind = $2, label = $3, issuer = $4, client_id = $5, client_secret_enc = $6,
              allowed_domains = $7, scopes = $8, signing_alg = $9, signed_userinfo = $10, enabled = $11, updated_at = now()
        WHERE id = $1`,
      [
        id,
        w.kind,
        w.label,
        w.issuer,
        w.clientId,
        w.clientSecretEnc,
        w.allowedDomains,
        w.scopes,
        w.signingAlg,
        w.signedUserinfo,
        w.enabled,
      ],
      m,
    );
  }

  async delete(m: EntityManager, id: string): Promise<void> {
    await this.db.query(`DELETE FROM oidc_provider WHERE id = $1`, [id], m);
  }

  /** A login attempt in flight, keyed by its state; expired ones are swept on the way. */
  async saveLogin(state: string, providerId: string, nonce: string, codeVerifier: string, ttlSeconds: number): Promise<void> {
    await this.db.query(
      `WITH swept AS (DELETE FROM oidc_login WHERE expires_at < now())
       INSERT INTO oidc_login (state_hash, provider_id, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [tokenHash(state), providerId, nonce, codeVerifier, ttlSeconds],
    );
  }

  /** Takes the login attempt of `state` (once: a second callback with the same state finds nothing). */
  async takeLogin(state: string, providerId: string): Promise<{ nonce: string; codeVerifier: string } | null> {
    const [row] = await this.db.query<{ nonce: string; code_verifier: string; live: boolean }>(
      `DELETE FROM oidc_login WHERE state_hash = $1 AND provider_id = $2
       RETURNING nonce, code_verifier, expires_at > now() AS live`,
      [tokenHash(state), providerId],
    );
    return row?.live ? { nonce: row.nonce, codeVerifier: row.code_verifier } : null;
  }

  /** The account of an e-mail address, active or not, in any organization. */
  async agentByEmail(email: string): Promise<AgentForSignIn | null> {
    const [row] = await this.db.query<AgentForSignIn>(
      `SELECT id, organization_id, active, password_hash = $2 AS invited FROM agent WHERE email = $1`,
      [email.toLowerCase(), NO_PASSWORD],
    );
    return row ?? null;
  }

  /**
   * An invited agent's first sign-in through the provider takes the invitation: the account gets an
   * unknown password (it signs in through its provider, and may still set one by a reset link).
   */
  async takeInvitation(agentId: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query(`UPDATE agent SET password_hash = $2 WHERE id = $1 AND password_hash = $3 RETURNING id`, [
      agentId,
      passwordHash,
      NO_PASSWORD,
    ]);
    return rows.length === 1;
  }

  /** An agent account opened at first sign-in (allowed domain); no usable password (`passwordHash` of random bytes). */
  async insertAgent(
    m: EntityManager,
    a: { organizationId: string; email: string; name: string; role: AgentRole; passwordHash: string },
  ): Promise<string | null> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO agent (organization_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [a.organizationId, a.email.toLowerCase(), a.name, a.role, a.passwordHash],
      m,
    );
    return row?.id ?? null;
  }
}
