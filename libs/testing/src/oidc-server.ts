import { createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** An identity the provider knows, found by the login typed into its login form. */
export interface OidcTestAccount {
  email: string;
  given_name?: string;
  usual_name?: string;
  email_verified?: boolean;
  uid?: string;
  siret?: string;
  /** The authentication level the login reports (`acr` of the id_token): `eidas1` by default, `null` for none. */
  acr?: string | null;
  /** The authentication methods the login reports (`amr`): `['pwd']` by default. */
  amr?: string[];
}

/**
 * How the server spoils its next answers, to check that the client refuses them:
 * - `unsigned-id-token`: the token endpoint's id_token re-encoded with `alg: none`, no signature;
 * - `foreign-id-token-signature`: the id_token signed by a key that is not in the provider's JWKS;
 * - `foreign-userinfo-signature`: the same for the signed userinfo answer.
 */
export type OidcTamper = 'none' | 'unsigned-id-token' | 'foreign-id-token-signature' | 'foreign-userinfo-signature';

export interface OidcTestServer {
  /** The issuer (and base URL): `http://<host>:<port>`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The oidc-provider instance, once `register` gave the client's redirect URIs. */
  readonly provider: Provider;
  /** Registers the client with its exact redirect URIs (known once the app configured the provider). */
  register(redirectUris: string[], postLogoutRedirectUris: string[]): void;
  /** Identities by login (the login form takes any of these e-mail addresses; any password). */
  accounts: Map<string, OidcTestAccount>;
  /** The `claims` parameter of each authorization request, parsed (ProConnect's `amr` request). */
  claimsRequests: unknown[];
  /** Every request the server received (method and path with query), in order. */
  requests: { method: string; url: string }[];
  /** Errors the provider rendered or answered (`invalid_grant`, `invalid_request`…), in order. */
  errors: { error: string; description?: string }[];
  tamper: OidcTamper;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function resign(jwt: string, how: 'none' | 'foreign', foreignKey: KeyObject): string {
  const [h, p] = jwt.split('.') as [string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  if (how === 'none') return `${b64url(JSON.stringify({ ...header, alg: 'none' }))}.${p}.`;
  const signer = createSign('RSA-SHA256');
  signer.update(`${h}.${p}`);
  return `${h}.${p}.${signer.sign(foreignKey).toString('base64url')}`;
}

/**
 * A real OpenID Connect provider (`oidc-provider`, the library behind many production servers)
 * on a free port, standing in for ProConnect, Keycloak or Azure AD: discovery, authorization with
 * its own login form, PKCE required, code exchange, id_tokens signed with its RS256 key, a signed
 * JWT userinfo (as ProConnect answers), and RP-initiated logout. One confidential client, whose
 * redirect URIs the test registers once the app gave them.
 */
export async function startOidcServer(
  o: {
    /** `localhost` by default: a site other than the app's 127.0.0.1, as a real provider is. */
    host?: string;
    /** The userinfo answer as a signed JWT (ProConnect) or plain JSON. */
    signedUserinfo?: boolean;
  } = {},
): Promise<OidcTestServer> {
  const { default: ProviderClass } = await import('oidc-provider');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  const clientId = `guichet-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, OidcTestAccount>();
  const requests: OidcTestServer['requests'] = [];
  const recorded: OidcTestServer['errors'] = [];
  const claimsRequests: unknown[] = [];
  let provider: Provider | undefined;

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end('client not registered yet');
  };
  const state = { tamper: 'none' as OidcTamper };
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const path = (req.url ?? '/').split('?')[0];
    const spoil =
      (path === '/token' && (state.tamper === 'unsigned-id-token' || state.tamper === 'foreign-id-token-signature')) ||
      (path === '/me' && state.tamper === 'foreign-userinfo-signature');
    if (spoil) {
      // Rewrite the body the provider answers before it leaves (Koa sets headers, then calls end once).
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      (res as { end: unknown }).end = (chunk?: unknown) => {
        let body = chunk === undefined ? '' : Buffer.from(chunk as Buffer | string).toString('utf8');
        if (path === '/token' && res.statusCode === 200) {
          const json = JSON.parse(body);
          json.id_token = resign(json.id_token, state.tamper === 'unsigned-id-token' ? 'none' : 'foreign', foreignKey);
          body = JSON.stringify(json);
        } else if (path === '/me' && res.statusCode === 200) {
          body = resign(body, 'foreign', foreignKey);
        }
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
        return end(body);
      };
    }
    if (path === '/auth') {
      const claims = new URL(req.url ?? '/', 'http://x').searchParams.get('claims');
      if (claims) claimsRequests.push(JSON.parse(claims));
    }
    // The login form's answer: finished here (not by the dev interactions) so the login reports the
    // account's authentication level and methods, as ProConnect's identity providers do.
    if (req.method === 'POST' && provider && /^\/interaction\/[^/]+$/.test(path ?? '')) {
      void finishLogin(provider, req, res);
      return;
    }
    handler(req, res);
  });

  async function finishLogin(p: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const details = await p.interactionDetails(req, res);
      if (body.get('prompt') !== 'login' || details.prompt.name !== 'login') throw new Error('only the login prompt is served');
      const accountId = (body.get('login') ?? '').toLowerCase();
      const account = accounts.get(accountId);
      const acr = account?.acr === undefined ? 'eidas1' : account.acr;
      await p.interactionFinished(
        req,
        res,
        { login: { accountId, ...(acr ? { acr } : {}), amr: account?.amr ?? ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
    } catch (e) {
      recorded.push({ error: 'interaction_failed', description: (e as Error).message });
      res.statusCode = 400;
      res.end((e as Error).message);
    }
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://${o.host ?? 'localhost'}:${(server.address() as AddressInfo).port}`;

  const configuration = (redirectUris: string[], postLogoutRedirectUris: string[]): Configuration => ({
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
        ...(o.signedUserinfo === false ? {} : { userinfo_signed_response_alg: 'RS256' }),
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    // ProConnect's claims, each asked as a scope of its own; the usual `email` and `profile` too.
    claims: {
      openid: ['sub'],
      // Stand-alone claims, given when asked through the claims parameter (ProConnect asks amr).
      acr: null,
      amr: null,
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      uid: ['uid'],
      siret: ['siret'],
    },
    pkce: { required: () => true },
    // ProConnect's levels, and the claims parameter it reads (`amr` asked as essential).
    acrValues: ['eidas1', 'eidas2', 'eidas3'],
    // ProConnect's lifetimes: code 30 s, access token 60 s; the rest short, as a test needs.
    ttl: { AuthorizationCode: 30, AccessToken: 60, IdToken: 3600, Interaction: 600, Grant: 3600, Session: 3600 },
    features: {
      devInteractions: { enabled: true },
      claimsParameter: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Logout</title></head><body><main><h1>Sign out?</h1>${form}
            <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></main></body></html>`;
        },
      },
    },
    // The agents' provider grants what the client asks (no consent screen, as ProConnect).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(String(ctx.oidc.params!.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, id) => {
      const account = accounts.get(id.toLowerCase());
      if (!account) return undefined;
      return {
        accountId: id.toLowerCase(),
        claims: async () => ({
          sub: `sub-${Buffer.from(account.email).toString('hex').slice(0, 24)}`,
          email: account.email,
          email_verified: account.email_verified ?? true,
          given_name: account.given_name,
          usual_name: account.usual_name,
          family_name: account.usual_name,
          uid: account.uid,
          siret: account.siret,
        }),
      };
    },
    renderError: async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      recorded.push({ error: out.error, description: out.error_description });
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>${out.error}</h1></body></html>`;
    },
  });

  return {
    issuer,
    clientId,
    clientSecret,
    get provider() {
      if (!provider) throw new Error('register the client first');
      return provider;
    },
    register(redirectUris, postLogoutRedirectUris) {
      provider = new ProviderClass(issuer, configuration(redirectUris, postLogoutRedirectUris));
      const record = (_ctx: unknown, err: { error?: string; error_description?: string }) =>
        recorded.push({ error: err.error ?? 'server_error', description: err.error_description });
      provider.on('grant.error', record);
      provider.on('end_session.error', record);
      provider.on('userinfo.error', record);
      provider.on('authorization.error', record);
      handler = provider.callback();
    },
    accounts,
    requests,
    claimsRequests,
    errors: recorded,
    get tamper() {
      return state.tamper;
    },
    set tamper(v: OidcTamper) {
      state.tamper = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
