import { QueryClientProvider } from '@tanstack/react-query';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { LoginPage } from './features/login/login-page';
import { InboxShell } from './features/inbox/inbox-shell';
import { RequestPage } from './features/public/request-page';
import { TrackingPage } from './features/public/tracking-page';
import { i18n } from './i18n';
import { createQueryClient } from './lib/query-client';
import { SessionProvider, useSession } from './session/session-context';

const queryClient = createQueryClient();

function SessionGate() {
  const { t } = useTranslation();
  const { session, restoring } = useSession();
  if (restoring) return <p role="status">{t('app.loading')}</p>;
  // A new session remounts the shell: a fresh socket and nothing from the previous agent.
  return session ? <InboxShell key={session.csrf} /> : <LoginPage />;
}

/** The citizen pages live at real paths (the API serves index.html for them); the agent app in the hash. */
export type PublicRoute = { page: 'request'; slug: string } | { page: 'tracking'; reference: string; token: string } | null;

export function parsePublicRoute(pathname: string, search: string): PublicRoute {
  const request = /^\/demandes\/([^/]+)\/?$/.exec(pathname);
  if (request) return { page: 'request', slug: decodeURIComponent(request[1]!) };
  const tracking = /^\/suivi\/([^/]+)\/?$/.exec(pathname);
  if (tracking) return { page: 'tracking', reference: decodeURIComponent(tracking[1]!), token: new URLSearchParams(search).get('token') ?? '' };
  return null;
}

export function App() {
  const route = parsePublicRoute(window.location.pathname, window.location.search);
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        {route?.page === 'request' ? (
          <RequestPage slug={route.slug} />
        ) : route?.page === 'tracking' ? (
          <TrackingPage reference={route.reference} token={route.token} />
        ) : (
          <SessionProvider>
            <SessionGate />
          </SessionProvider>
        )}
      </QueryClientProvider>
    </I18nextProvider>
  );
}
