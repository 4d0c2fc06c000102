import { authApi } from '../api/auth';
import { signInApi } from '../api/sign-in';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { clearAllDrafts } from '../lib/drafts';
import { sessionStore, type Session } from './session-store';

interface SessionContextValue {
  session: Session | null;
  /** Whether the session cookie is being checked (after a reload): neither signed in nor out yet. */
  restoring: boolean;
  signIn(session: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Tabs tell each other when they sign in or out: the others ask the API whose session the cookie now holds. */
const otherTabs = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('guichet.session');
const restore = () => sessionStore.restore(() => authApi.me());
const tellOtherTabs = () => otherTabs?.postMessage('changed');

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { session, restoring } = useSyncExternalStore(sessionStore.subscribe, sessionStore.getState);
  const key = session?.csrf ?? null;
  const previousKey = useRef(key);

  // Whatever ends a session (button, 401, another tab), nothing cached for it may leak into the next.
  useEffect(() => {
    if (previousKey.current !== null && previousKey.current !== key) {
      queryClient.clear();
      if (key === null) clearAllDrafts();
    }
    previousKey.current = key;
  }, [key, queryClient]);

  // After a reload the session is in the cookie only; logging in or out in another tab applies here too.
  useEffect(() => {
    void restore();
    if (!otherTabs) return;
    otherTabs.onmessage = () => void restore();
    return () => {
      otherTabs.onmessage = null;
    };
  }, []);

  const signIn = useCallback((next: Session) => {
    sessionStore.set(next);
    tellOtherTabs();
  }, []);
  const signOut = useCallback(() => {
    // A session opened through an OIDC provider ends there too (its end_session URL, id_token_hint).
    void signInApi
      .logout()
      .then((answer) => {
        if (answer?.endSessionUrl) window.location.assign(answer.endSessionUrl);
      })
      .catch(() => undefined)
      .finally(tellOtherTabs);
    sessionStore.clear();
  }, []);
  const value = useMemo(() => ({ session, restoring, signIn, signOut }), [session, restoring, signIn, signOut]);

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
