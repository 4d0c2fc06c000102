import type { MeDto, LoginResponse } from '@guichet/contracts';

/** What the browser keeps between visits: the bearer token and who it belongs to. */
export type Session = LoginResponse;

export const SESSION_KEY = 'guichet.session';

type Listener = () => void;

const listeners = new Set<Listener>();
let current: Session | null = read();

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Session>;
  return (
    typeof v.token === 'string' &&
    typeof v.expiresAt === 'string' &&
    typeof v.agent === 'object' &&
    v.agent !== null &&
    typeof v.agent.id === 'string'
  );
}

function isExpired(session: Session): boolean {
  const expires = Date.parse(session.expiresAt);
  return !Number.isNaN(expires) && expires <= Date.now();
}

function read(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (!isSession(parsed) || isExpired(parsed)) {
      localStorage.removeItem(SESSION_KEY);
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

function write(session: Session | null): void {
  current = session;
  try {
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // Storage unavailable (private mode, quota): the session lives in memory for this tab.
  }
  for (const listener of listeners) listener();
}

/**
 * The session outside React, so the API client can read the token and end the session on a
 * 401 without going through a component. React reads it with useSyncExternalStore.
 */
export const sessionStore = {
  get(): Session | null {
    if (current && isExpired(current)) write(null);
    return current;
  },
  set(session: Session): void {
    write(session);
  },
  updateAgent(agent: MeDto): void {
    if (current && JSON.stringify(current.agent) !== JSON.stringify(agent)) write({ ...current, agent });
  },
  clear(): void {
    if (current) write(null);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

// Logging in or out in another tab applies here too.
window.addEventListener('storage', (event) => {
  if (event.key !== SESSION_KEY && event.key !== null) return;
  const next = read();
  if (next?.token === current?.token) return;
  current = next;
  for (const listener of listeners) listener();
});
