import type { MeDto } from '@guichet/contracts';

/**
 * The agent's session in the browser. The session token lives only in an HttpOnly cookie that
 * no script can read: the API sets it at login, the browser sends it with every same-origin
 * request and with the socket.io handshake, and nothing of it is kept in localStorage. Scripts
 * see the session's CSRF token (a readable cookie), repeated in X-Guichet-CSRF on every change
 * and in the socket's `auth.csrf`, and who the agent is, in memory: after a reload, GET
 * /auth/me tells it again from the cookie.
 */
export interface Session {
  agent: MeDto;
  /** The session's CSRF token; every login gets a new one, so it also tells sessions apart. */
  csrf: string;
}

export interface SessionState {
  session: Session | null;
  /** The cookie may hold a session: the API is being asked whose. */
  restoring: boolean;
}

export const CSRF_COOKIE = 'guichet_csrf';
export const CSRF_HEADER = 'X-Guichet-CSRF';

/** The CSRF cookie the API set with the session cookie, or null when there is no session. */
export function readCsrfCookie(): string | null {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('=')) || null;
  }
  return null;
}

// Earlier versions kept the bearer token in localStorage: a browser that still holds one forgets it.
try {
  localStorage.removeItem('guichet.session');
} catch {
  // Storage unavailable (private mode): nothing to forget.
}

type Listener = () => void;

const listeners = new Set<Listener>();
let state: SessionState = { session: null, restoring: readCsrfCookie() !== null };

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

/**
 * The session outside React, so the API client can read the CSRF token and end the session on
 * a 401 without going through a component. React reads it with useSyncExternalStore.
 */
export const sessionStore = {
  get(): Session | null {
    return state.session;
  },
  getState(): SessionState {
    return state;
  },
  set(session: Session): void {
    setState({ session, restoring: false });
  },
  updateAgent(agent: MeDto): void {
    const current = state.session;
    if (current && JSON.stringify(current.agent) !== JSON.stringify(agent))
      setState({ ...state, session: { ...current, agent } });
  },
  clear(): void {
    if (state.session || state.restoring) setState({ session: null, restoring: false });
  },
  /** Whose session the cookie holds, asked of the API (`me`): after a reload, or a login or logout in another tab. */
  async restore(me: () => Promise<MeDto>): Promise<void> {
    const csrf = readCsrfCookie();
    if (!csrf) return sessionStore.clear();
    if (state.session?.csrf === csrf) return;
    setState({ session: null, restoring: true });
    try {
      const agent = await me();
      // Another login or logout happened meanwhile (another tab): ask again for that one.
      if (readCsrfCookie() !== csrf) return await sessionStore.restore(me);
      setState({ session: { agent, csrf }, restoring: false });
    } catch {
      setState({ session: null, restoring: false });
    }
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
