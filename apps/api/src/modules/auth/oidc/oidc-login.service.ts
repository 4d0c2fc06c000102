import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  PROCONNECT_ACR_VALUES,
  PROCONNECT_CLAIMS_REQUEST,
  PROCONNECT_REQUESTED_ACR,
  type OidcLoginOptionDto,
} from '@guichet/contracts';
import * as oidc from 'openid-client';
import { Database } from '../../../common/database';
import { hashPassword } from '../../../common/password';
import { currentOrigin } from '../../../common/request-context';
import { APP_CONFIG, type AppConfig } from '../../../config';
import { AuditRepository } from '../../../infra/audit/audit.repository';
import { decryptSecrets, encryptSecrets } from '../../channels/channel-secrets';
import { AuthRepository } from '../auth.repository';
import { AuthService } from '../auth.service';
import { OidcClient } from './oidc-client';
import { OidcProviderService, postLogoutRedirectUri, redirectUri } from './oidc-provider.service';
import { OidcRepository, type OidcProviderRow } from './oidc.repository';

/** The associated data binding a session's sealed id_token to its provider. */
const idTokenAad = (providerId: string) => `id_token:${providerId}`;

/** Why a sign-in failed, as the login page's `?connexion=` code (its French text lives in the web app). */
export type OidcFailure =
  | 'etat' // unknown, expired or replayed state: start again
  | 'refus' // the provider answered with an error (the agent cancelled, access denied…)
  | 'jeton' // the code, the id_token or the userinfo did not pass the checks
  | 'email' // no (verified) e-mail address in the identity
  | 'inconnu' // no account for this address in this organization, and its domain is not allowed
  | 'desactive' // the account is deactivated
  | 'archivee' // the provider's town is archived by the platform
  | 'niveau' // ProConnect: the id_token's acr is not an eIDAS level (eidas1 at least)
  | 'fournisseur'; // provider unknown, disabled or unreachable

export class OidcSignInError extends Error {
  constructor(
    readonly code: OidcFailure,
    detail: string,
  ) {
    super(detail);
  }
}

/** How long a started sign-in may take at the provider (state, nonce, PKCE verifier kept server-side). */
const LOGIN_TTL_SECONDS = 600;

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A display name from the identity's claims (ProConnect: given_name + usual_name). */
function nameOf(claims: Record<string, unknown>, email: string): string {
  const given = str(claims.given_name);
  const family = str(claims.usual_name) ?? str(claims.family_name);
  const full = [given, family].filter(Boolean).join(' ') || str(claims.name) || email.split('@')[0]!;
  return full.slice(0, 120);
}

/**
 * Agents sign in through their organization's OpenID Connect provider: authorization code flow
 * with PKCE (S256), random `state` and `nonce` (43 characters each), the exact redirect URI of
 * the provider; the id_token's signature, issuer, audience, expiry and nonce checked, and the
 * userinfo's signature where the provider signs it. The agent is found by e-mail (ProConnect's
 * `sub` differs per client): an existing account of that organization, or a new one when the
 * address's domain is one the admin allowed. The session is the same as after a password login.
 */
@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger('OidcSignIn');

  constructor(
    private readonly repo: OidcRepository,
    private readonly providers: OidcProviderService,
    private readonly client: OidcClient,
    private readonly auth: AuthService,
    private readonly authRepo: AuthRepository,
    private readonly db: Database,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async options(): Promise<OidcLoginOptionDto[]> {
    return (await this.repo.listEnabled()).map((r) => ({
      id: r.id,
      kind: r.kind,
      label: r.label,
      organizationName: r.organization_name,
      startUrl: `/api/v1/auth/oidc/${r.id}/start`,
    }));
  }

  /** The provider's authorization URL and the state the browser must bring back (kept in a cookie). */
  async start(providerId: string): Promise<{ url: string; state: string }> {
    const row = await this.enabledProvider(providerId);
    const config = await this.configuration(row);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    await this.repo.saveLogin(state, row.id, nonce, codeVerifier, LOGIN_TTL_SECONDS);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(this.config.publicUrl, row.id),
      scope: row.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // ProConnect: the eIDAS level asked and the amr claim requested, as its documentation says
      // (any other parameter is refused there).
      ...(row.kind === 'proconnect'
        ? { acr_values: PROCONNECT_REQUESTED_ACR, claims: JSON.stringify(PROCONNECT_CLAIMS_REQUEST) }
        : {}),
    });
    return { url: url.href, state };
  }

  /**
   * The provider sent the browser back. `cookieState` is the state this browser started with:
   * a callback carrying another state (someone else's code pushed into this browser) is refused.
   */
  async callback(
    providerId: string,
    query: URLSearchParams,
    cookieState: string | undefined,
    client: { ip?: string; userAgent?: string },
  ): Promise<{ token: string; expiresAt: Date }> {
    const state = query.get('state') ?? '';
    if (!cookieState || state.length < 32 || state !== cookieState) {
      throw new OidcSignInError('etat', 'state absent or not the one this browser started with');
    }
    const row = await this.enabledProvider(providerId);
    const login = await this.repo.takeLogin(state, row.id);
    if (!login) throw new OidcSignInError('etat', 'state unknown, expired or already used');
    if (query.has('error'))
      throw new OidcSignInError('refus', `provider error ${query.get('error')}: ${query.get('error_description') ?? ''}`);
    const config = await this.configuration(row);
    const current = new URL(redirectUri(this.config.publicUrl, row.id));
    current.search = query.toString();
    let idToken: string;
    let claims: Record<string, unknown>;
    let acr: string | undefined;
    let amr: string[] | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      idToken = tokens.id_token!;
      acr = typeof idClaims.acr === 'string' ? idClaims.acr : undefined;
      amr = Array.isArray(idClaims.amr) ? idClaims.amr.filter((m): m is string => typeof m === 'string') : undefined;
      claims = { ...idClaims };
      if (config.serverMetadata().userinfo_endpoint) {
        Object.assign(claims, await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub));
      }
    } catch (e) {
      throw new OidcSignInError('jeton', `code exchange or token checks failed: ${(e as Error).message}`);
    }
    // The level comes from the signed id_token only (never from userinfo): ProConnect must say eidas1 or more.
    if (row.kind === 'proconnect' && !(PROCONNECT_ACR_VALUES as readonly (string | undefined)[]).includes(acr)) {
      throw new OidcSignInError('niveau', `id_token acr ${acr ?? '(absent)'} is not one of ${PROCONNECT_ACR_VALUES.join(', ')}`);
    }
    const email = str(claims.email)?.toLowerCase();
    if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || claims.email_verified === false) {
      throw new OidcSignInError('email', 'no verified e-mail address in the identity');
    }
    const agentId = await this.agentFor(row, email, claims);
    // The id_token (the agent's identity claims) is kept only to hint the provider's logout: sealed at rest.
    const sealed = encryptSecrets(this.config.encryptionKey, idTokenAad(row.id), { idToken });
    const session = await this.auth.openSession(agentId, { ...client, oidc: { providerId: row.id, idToken: sealed } });
    await this.audit.record({
      organizationId: row.organization_id,
      agentId,
      action: 'agent.signed_in',
      data: { method: 'oidc', providerId: row.id, ...(acr ? { acr } : {}), ...(amr?.length ? { amr } : {}) },
      origin: { ...currentOrigin(), sessionId: session.publicId },
    });
    return { token: session.token, expiresAt: session.expiresAt };
  }

  /** Where the browser goes to end the provider's session too (`id_token_hint`), or null for a password session. */
  async endSessionUrl(sessionId: string): Promise<string | null> {
    const found = await this.authRepo.oidcOfSession(sessionId);
    if (!found) return null;
    const row = await this.repo.find(found.providerId);
    if (!row) return null;
    try {
      const config = await this.configuration(row);
      if (!config.serverMetadata().end_session_endpoint) return null;
      const { idToken } = decryptSecrets(this.config.encryptionKey, idTokenAad(row.id), found.idToken);
      return oidc.buildEndSessionUrl(config, {
        id_token_hint: String(idToken),
        post_logout_redirect_uri: postLogoutRedirectUri(this.config.publicUrl),
        state: oidc.randomState(),
      }).href;
    } catch (e) {
      this.logger.warn(`logout at provider ${row.id} skipped: ${(e as Error).message}`);
      return null;
    }
  }

  private async enabledProvider(id: string): Promise<OidcProviderRow> {
    const row = await this.repo.find(id);
    if (!row || !row.enabled) throw new OidcSignInError('fournisseur', 'provider unknown or disabled');
    if (row.organization_archived) throw new OidcSignInError('archivee', 'the organization is archived');
    return row;
  }

  private async configuration(row: OidcProviderRow): Promise<oidc.Configuration> {
    try {
      return await this.client.configuration(this.providers.credentials(row));
    } catch (e) {
      throw new OidcSignInError('fournisseur', `discovery of ${row.issuer} failed: ${(e as Error).message}`);
    }
  }

  /** The agent of this e-mail address in the provider's organization; opened if its domain is allowed. */
  private async agentFor(row: OidcProviderRow, email: string, claims: Record<string, unknown>): Promise<string> {
    const existing = await this.repo.agentByEmail(email);
    if (existing) {
      if (existing.organization_id !== row.organization_id) {
        throw new OidcSignInError('inconnu', 'the address belongs to an agent of another organization');
      }
      if (!existing.active) throw new OidcSignInError('desactive', 'the account is deactivated');
      // An invitee who signs in through the provider has accepted: the admin's list stops saying « invité ».
      if (existing.invited)
        await this.repo.takeInvitation(existing.id, await hashPassword(randomBytes(32).toString('base64url')));
      return existing.id;
    }
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!row.allowed_domains.includes(domain))
      throw new OidcSignInError('inconnu', `no account for this address (domain ${domain})`);
    // No password: the account signs in through its provider (a random, unknown one keeps the column's rule).
    const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
    const created = await this.db.tx(async (m) => {
      const id = await this.repo.insertAgent(m, {
        organizationId: row.organization_id,
        email,
        name: nameOf(claims, email),
        role: 'agent',
        passwordHash,
      });
      if (id) {
        await this.audit.record(
          {
            organizationId: row.organization_id,
            agentId: id,
            action: 'agent.created_at_sign_in',
            data: { agentId: id, providerId: row.id, domain, role: 'agent' },
          },
          m,
        );
      }
      return id;
    });
    // Opened at the same moment by a concurrent sign-in: check that one like any existing account.
    return created ?? this.agentFor(row, email, claims);
  }

  /** Logs the reason of a refused sign-in for the admins (never the tokens). */
  logFailure(providerId: string, e: OidcSignInError): void {
    this.logger.warn(`sign-in through provider ${providerId} refused (${e.code}): ${e.message}`);
  }
}
