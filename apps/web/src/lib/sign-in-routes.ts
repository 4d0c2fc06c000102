/** The agent's own account (name, password): `#/compte`. */
export const ACCOUNT_HREF = '#/compte';

export const isAccountHash = (hash: string) => /^#\/compte\/?(\?|$)/.test(hash);

/** The agent's sessions: `#/compte/sessions`. */
export const SESSIONS_HREF = '#/compte/sessions';

export const isSessionsHash = (hash: string) => /^#\/compte\/sessions\/?(\?|$)/.test(hash);

/** `#/mot-de-passe?jeton=…`: the link of an invitation or a reset. */
export const isPasswordHash = (hash: string) => /^#\/mot-de-passe\/?(\?|$)/.test(hash);
/** `#/mot-de-passe-oublie`: asks for a reset link. */
export const isForgotPasswordHash = (hash: string) => /^#\/mot-de-passe-oublie\/?$/.test(hash);
