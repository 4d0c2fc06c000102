import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import type { OidcProviderRow } from './oidc.repository';

/** What the client needs of a provider: its row and its decrypted client secret. */
export interface ProviderCredentials {
  row: OidcProviderRow;
  clientSecret: string;
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;

/** http issuers are only accepted on the loopback (a local Keycloak, the tests' provider): see sign-in.ts. */
const insecure = (issuer: string) => new URL(issuer).protocol === 'http:';

/**
 * openid-client configurations per provider: discovery (`<issuer>/.well-known/openid-configuration`,
 * ProConnect's `/api/v2/…` included) cached an hour and renewed when the provider's settings change.
 * Every configuration verifies the signatures of id_tokens and of JWT userinfo answers against the
 * provider's JWKS (`enableNonRepudiationChecks`: openid-client alone trusts TLS for them), pins the
 * signing algorithm, and, where the provider signs its userinfo (ProConnect), refuses a plain one.
 */
@Injectable()
export class OidcClient {
  private readonly cache = new Map<string, { version: number; at: number; config: Promise<oidc.Configuration> }>();

  configuration(p: ProviderCredentials): Promise<oidc.Configuration> {
    const version = p.row.updated_at.getTime();
    const hit = this.cache.get(p.row.id);
    if (hit && hit.version === version && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
    const config = this.discover(p);
    this.cache.set(p.row.id, { version, at: Date.now(), config });
    config.catch(() => this.cache.delete(p.row.id));
    return config;
  }

  private async discover({ row, clientSecret }: ProviderCredentials): Promise<oidc.Configuration> {
    const execute = insecure(row.issuer) ? [oidc.allowInsecureRequests] : [];
    const metadata: Partial<oidc.ClientMetadata> = {
      id_token_signed_response_alg: row.signing_alg,
      ...(row.signed_userinfo ? { userinfo_signed_response_alg: row.signing_alg } : {}),
    };
    const found = await oidc.discovery(new URL(row.issuer), row.client_id, metadata, undefined, { execute, timeout: 10 });
    const server = found.serverMetadata();
    // client_secret_basic unless the provider only takes client_secret_post.
    const methods = server.token_endpoint_auth_methods_supported;
    const auth =
      methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
        ? oidc.ClientSecretPost(clientSecret)
        : oidc.ClientSecretBasic(clientSecret);
    const config = new oidc.Configuration(server, row.client_id, metadata, auth);
    for (const fn of execute) fn(config);
    config.timeout = 10;
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  /** The provider's settings changed or it was removed: discover again next time. */
  forget(providerId: string): void {
    this.cache.delete(providerId);
  }
}
