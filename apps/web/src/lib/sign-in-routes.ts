/** The agent's sessions: `#/compte/sessions`. */
export const SESSIONS_HREF = '#/compte/sessions';
/** The organization's identity providers (admins): `#/admin/connexion`. */
export const OIDC_ADMIN_HREF = '#/admin/connexion';

export const isSessionsHash = (hash: string) => /^#\/compte\/sessions\/?(\?|$)/.test(hash);
export const isOidcAdminHash = (hash: string) => /^#\/admin\/connexion\/?(\?|$)/.test(hash);
