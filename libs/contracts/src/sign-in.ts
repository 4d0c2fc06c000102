import { z } from 'zod';

/**
 * Sign-in through an OpenID Connect provider (ProConnect, Keycloak, Azure AD, Google
 * Workspace…), configured per organization by its admins, and the agent's own sessions.
 */
export const OIDC_PROVIDER_KINDS = ['proconnect', 'oidc'] as const;
export type OidcProviderKind = (typeof OIDC_PROVIDER_KINDS)[number];

export const OIDC_SIGNING_ALGS = ['RS256', 'ES256', 'PS256'] as const;

/** A domain name as agents' e-mail addresses end (`mairie-exemple.fr`), lower-cased. */
const domain = z
  .string('domaine attendu')
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'domaine invalide (exemple : mairie-exemple.fr)');

const issuerUrl = z
  .string('adresse de l’émetteur attendue')
  .trim()
  .max(500, 'adresse trop longue')
  .url('adresse de l’émetteur invalide (exemple : https://proconnect.gouv.fr/api/v2)')
  .refine((u) => {
    const url = new URL(u);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
  }, 'l’émetteur doit être en https (http n’est admis que sur cette machine même)')
  .refine((u) => !new URL(u).search && !new URL(u).hash, 'l’émetteur ne doit avoir ni paramètres ni ancre')
  .transform((u) => u.replace(/\/$/, ''));

const providerFields = {
  kind: z.enum(OIDC_PROVIDER_KINDS, 'type inconnu : proconnect ou oidc'),
  label: z.string('libellé attendu').trim().min(2, 'libellé trop court').max(80, 'libellé trop long (80 caractères au plus)'),
  issuer: issuerUrl,
  clientId: z.string('identifiant client attendu').trim().min(1, 'identifiant client attendu').max(500),
  /** Write-only: never returned (the DTO says only whether one is stored). */
  clientSecret: z.string('secret client attendu').min(1, 'secret client attendu').max(2000),
  /** E-mail domains whose agents get an account at their first sign-in; others must have been invited. */
  allowedDomains: z.array(domain, 'liste de domaines attendue').max(50, '50 domaines au plus'),
  scopes: z
    .string()
    .trim()
    .regex(/^openid( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'les portées commencent par « openid », séparées par des espaces')
    .max(500)
    .optional(),
  signingAlg: z.enum(OIDC_SIGNING_ALGS, 'algorithme inconnu : RS256, ES256 ou PS256'),
  /** The provider answers userinfo as a signed JWT (ProConnect does): a plain JSON answer is refused. */
  signedUserinfo: z.boolean('vrai ou faux attendu'),
  enabled: z.boolean('vrai ou faux attendu'),
};

export const createOidcProviderSchema = z.object({
  ...providerFields,
  allowedDomains: providerFields.allowedDomains.default([]),
  signingAlg: providerFields.signingAlg.default('RS256'),
  signedUserinfo: providerFields.signedUserinfo.optional(),
  enabled: providerFields.enabled.default(true),
});
export type CreateOidcProviderInput = z.infer<typeof createOidcProviderSchema>;

export const updateOidcProviderSchema = z
  .object(providerFields)
  .partial()
  .refine((o) => Object.keys(o).length > 0, 'rien à modifier');
export type UpdateOidcProviderInput = z.infer<typeof updateOidcProviderSchema>;

/**
 * ProConnect's authentication levels (eIDAS), lowest first. Guichet asks `acr_values=eidas1` and,
 * per ProConnect's documentation, the `amr` claim as essential in the id_token
 * (`claims={"id_token":{"amr":{"essential":true}}}`); an id_token whose `acr` is none of these is refused.
 */
export const PROCONNECT_ACR_VALUES = ['eidas1', 'eidas2', 'eidas3'] as const;
export const PROCONNECT_REQUESTED_ACR = 'eidas1';
export const PROCONNECT_CLAIMS_REQUEST = { id_token: { amr: { essential: true } } } as const;

/** Scopes asked when none are configured. ProConnect names its claims as scopes. */
export const DEFAULT_OIDC_SCOPES: Record<OidcProviderKind, string> = {
  proconnect: 'openid email given_name usual_name uid siret',
  oidc: 'openid email profile',
};

export interface OidcProviderDto {
  id: string;
  kind: OidcProviderKind;
  label: string;
  issuer: string;
  clientId: string;
  /** Whether a client secret is stored (it is never shown again). */
  clientSecretSet: boolean;
  allowedDomains: string[];
  scopes: string;
  signingAlg: (typeof OIDC_SIGNING_ALGS)[number];
  signedUserinfo: boolean;
  enabled: boolean;
  /** The exact redirect URI to register at the provider. */
  redirectUri: string;
  /** The post-logout redirect URI to register at the provider. */
  postLogoutRedirectUri: string;
  updatedAt: string;
}

/** A button of the login page (`GET /auth/oidc/providers`, public). */
export interface OidcLoginOptionDto {
  id: string;
  kind: OidcProviderKind;
  label: string;
  organizationName: string;
  /** Where the button leads: starts the authorization code flow. */
  startUrl: string;
}

export const SESSION_METHODS = ['password', 'oidc'] as const;
export type SessionMethod = (typeof SESSION_METHODS)[number];

/** One of the agent's own sessions (`GET /auth/sessions`). */
export interface SessionDto {
  /** Opaque id (not the token): `DELETE /auth/sessions/:id` ends it. */
  id: string;
  current: boolean;
  method: SessionMethod;
  /** The provider's label for OIDC sessions. */
  provider: string | null;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** Answer of `POST /auth/logout`: where the browser goes next to end the provider's session too. */
export interface LogoutResponse {
  endSessionUrl: string | null;
}
