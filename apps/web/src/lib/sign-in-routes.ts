/** The agent's sessions: `#/compte/sessions`. */
export const SESSIONS_HREF = '#/compte/sessions';

export const isSessionsHash = (hash: string) => /^#\/compte\/sessions\/?(\?|$)/.test(hash);
