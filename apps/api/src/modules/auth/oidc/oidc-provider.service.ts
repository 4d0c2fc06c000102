import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_OIDC_SCOPES,
  type CreateOidcProviderInput,
  type OidcProviderDto,
  type UpdateOidcProviderInput,
} from '@guichet/contracts';
import type { AuthAgent } from '../../../common/auth-agent';
import { Database } from '../../../common/database';
import { notFound } from '../../../common/errors';
import { APP_CONFIG, type AppConfig } from '../../../config';
import { AuditRepository } from '../../../infra/audit/audit.repository';
import { decryptSecrets, encryptSecrets } from '../../channels/channel-secrets';
import { OidcClient, type ProviderCredentials } from './oidc-client';
import { OidcRepository, type OidcProviderRow, type OidcProviderWrite } from './oidc.repository';

/** The exact redirect URI of a provider (registered at the provider, compared character for character). */
export const redirectUri = (publicUrl: string, providerId: string) => `${publicUrl}/api/v1/auth/oidc/${providerId}/callback`;
/** Where the provider sends the browser back after its logout. */
export const postLogoutRedirectUri = (publicUrl: string) => `${publicUrl}/`;

/** What the audit log keeps of a provider's settings: everything but the secret. */
const audited = (w: OidcProviderWrite) => ({
  kind: w.kind,
  label: w.label,
  issuer: w.issuer,
  clientId: w.clientId,
  allowedDomains: w.allowedDomains,
  scopes: w.scopes,
  signingAlg: w.signingAlg,
  signedUserinfo: w.signedUserinfo,
  enabled: w.enabled,
});

/** Admins configure their organization's OIDC providers; the client secret is sealed like channel secrets. */
@Injectable()
export class OidcProviderService {
  constructor(
    private readonly repo: OidcRepository,
    private readonly db: Database,
    private readonly audit: AuditRepository,
    private readonly client: OidcClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(admin: AuthAgent): Promise<OidcProviderDto[]> {
    return (await this.repo.list(admin.organizationId)).map((r) => this.toDto(r));
  }

  async get(admin: AuthAgent, id: string): Promise<OidcProviderDto> {
    const row = await this.repo.find(id, admin.organizationId);
    if (!row) throw notFound('fournisseur d’identité');
    return this.toDto(row);
  }

  async create(admin: AuthAgent, input: CreateOidcProviderInput): Promise<OidcProviderDto> {
    const id = randomUUID();
    const write: OidcProviderWrite = {
      kind: input.kind,
      label: input.label,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretEnc: this.seal(id, input.clientSecret),
      allowedDomains: [...new Set(input.allowedDomains)],
      scopes: input.scopes ?? DEFAULT_OIDC_SCOPES[input.kind],
      signingAlg: input.signingAlg,
      signedUserinfo: input.signedUserinfo ?? input.kind === 'proconnect',
      enabled: input.enabled,
    };
    await this.db.tx(async (m) => {
      await this.repo.insert(m, id, admin.organizationId, write);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'oidc_provider.created',
          data: { id, after: audited(write) },
        },
        m,
      );
    });
    return this.get(admin, id);
  }

  async update(admin: AuthAgent, id: string, input: UpdateOidcProviderInput): Promise<OidcProviderDto> {
    await this.db.tx(async (m) => {
      const row = await this.repo.find(id, admin.organizationId, m);
      if (!row) throw notFound('fournisseur d’identité');
      const before = this.toWrite(row);
      const kind = input.kind ?? before.kind;
      const after: OidcProviderWrite = {
        kind,
        label: input.label ?? before.label,
        issuer: input.issuer ?? before.issuer,
        clientId: input.clientId ?? before.clientId,
        clientSecretEnc: input.clientSecret !== undefined ? this.seal(id, input.clientSecret) : before.clientSecretEnc,
        allowedDomains: input.allowedDomains ? [...new Set(input.allowedDomains)] : before.allowedDomains,
        scopes: input.scopes ?? (input.kind && input.kind !== before.kind ? DEFAULT_OIDC_SCOPES[kind] : before.scopes),
        signingAlg: input.signingAlg ?? before.signingAlg,
        signedUserinfo: input.signedUserinfo ?? before.signedUserinfo,
        enabled: input.enabled ?? before.enabled,
      };
      await this.repo.update(m, id, after);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'oidc_provider.updated',
          data: { id, before: audited(before), after: audited(after), clientSecretReplaced: input.clientSecret !== undefined },
        },
        m,
      );
    });
    this.client.forget(id);
    return this.get(admin, id);
  }

  /** Removes a provider; the sessions it opened stay (they end with their time or by the agent). */
  async remove(admin: AuthAgent, id: string): Promise<void> {
    await this.db.tx(async (m) => {
      const row = await this.repo.find(id, admin.organizationId, m);
      if (!row) throw notFound('fournisseur d’identité');
      await this.repo.delete(m, id);
      await this.audit.record(
        {
          organizationId: admin.organizationId,
          agentId: admin.id,
          action: 'oidc_provider.deleted',
          data: { id, before: audited(this.toWrite(row)) },
        },
        m,
      );
    });
    this.client.forget(id);
  }

  /** The provider with its client secret, for the sign-in flow. */
  credentials(row: OidcProviderRow): ProviderCredentials {
    const secrets = decryptSecrets(this.config.encryptionKey, row.id, row.client_secret_enc);
    return { row, clientSecret: String(secrets.clientSecret ?? '') };
  }

  private seal(id: string, clientSecret: string): string {
    return encryptSecrets(this.config.encryptionKey, id, { clientSecret });
  }

  private toWrite(r: OidcProviderRow): OidcProviderWrite {
    return {
      kind: r.kind,
      label: r.label,
      issuer: r.issuer,
      clientId: r.client_id,
      clientSecretEnc: r.client_secret_enc,
      allowedDomains: r.allowed_domains,
      scopes: r.scopes,
      signingAlg: r.signing_alg,
      signedUserinfo: r.signed_userinfo,
      enabled: r.enabled,
    };
  }

  private toDto(r: OidcProviderRow): OidcProviderDto {
    return {
      id: r.id,
      kind: r.kind,
      label: r.label,
      issuer: r.issuer,
      clientId: r.client_id,
      clientSecretSet: Boolean(r.client_secret_enc),
      allowedDomains: r.allowed_domains,
      scopes: r.scopes,
      signingAlg: r.signing_alg,
      signedUserinfo: r.signed_userinfo,
      enabled: r.enabled,
      redirectUri: redirectUri(this.config.publicUrl, r.id),
      postLogoutRedirectUri: postLogoutRedirectUri(this.config.publicUrl),
      updatedAt: r.updated_at.toISOString(),
    };
  }
}
