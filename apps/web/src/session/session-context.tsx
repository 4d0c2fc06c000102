import { authApi } from '../api/auth';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { clearAllDrafts } from '../lib/drafts';
import { sessionStore, type Session } from './session-store';

interface SessionContextValue {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
  const token = session?.token ?? null;
  const previousToken = useRef(token);

  // Whatever ends a session (button, 401, another tab), nothing cached for it may leak into the next.
  useEffect(() => {
    if (previousToken.current !== null && previousToken.current !== token) {
      queryClient.clear();
      if (token === null) clearAllDrafts();
    }
    previousToken.current = token;
  }, [token, queryClient]);

  const signIn = useCallback((next: Session) => sessionStore.set(next), []);
  const signOut = useCallback(() => {
    void authApi.logout().catch(() => undefined);
    sessionStore.clear();
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in agent's id, or null (for leaf components that may render on their own). */
export function useCurrentAgentId(): string | null {
  return useContext(SessionContext)?.session?.agent.id ?? null;
}

/** The signed-in agent; only for components rendered behind the login gate. */
export function useSignedInSession(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedInSession needs a signed-in agent');
  return session;
}
