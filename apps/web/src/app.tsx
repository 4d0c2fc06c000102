import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { setupApi } from './api/admin';
import { queryKeys } from './api/query-keys';
import { Suspense } from 'react';
import { InboxShell } from './features/inbox/inbox-shell';
import { i18n } from './i18n';
import { lazyScreen } from './lib/lazy-screen';
import { createQueryClient } from './lib/query-client';
import { useHash } from './lib/router';
import { isForgotPasswordHash, isPasswordHash } from './lib/sign-in-routes';
import { SessionProvider, useSession } from './session/session-context';

const queryClient = createQueryClient();

// The screens before signing in load when shown: an agent whose session is restored never needs them.
const LoginPage = lazyScreen(() => import('./features/login/login-page').then((m) => m.LoginPage));
const SetupPage = lazyScreen(() => import('./features/setup/setup-page').then((m) => m.SetupPage));
const PasswordPage = lazyScreen(() => import('./features/account/password-page').then((m) => m.PasswordPage));
const ForgotPasswordPage = lazyScreen(() => import('./features/account/password-page').then((m) => m.ForgotPasswordPage));

function Loading() {
  const { t } = useTranslation();
  return <p role="status">{t('app.loading')}</p>;
}

function SessionGate() {
  const { session, restoring } = useSession();
  const hash = useHash();
  // An empty database opens the first-run page instead of the login (an unreachable server: the login).
  const setup = useQuery({ queryKey: queryKeys.setup(), queryFn: ({ signal }) => setupApi.status(signal), staleTime: Infinity });
  if (isPasswordHash(hash)) return <PasswordPage hash={hash} />;
  if (isForgotPasswordHash(hash)) return <ForgotPasswordPage />;
  if (restoring || setup.isPending) return <Loading />;
  if (!session && setup.data?.needed) return <SetupPage />;
  // A new session remounts the shell: a fresh socket and nothing from the previous agent.
  return session ? <InboxShell key={session.csrf} /> : <LoginPage />;
}

/**
 * The agent app. The citizen pages (/demandes/…, /suivi/…) are not here: the API renders them
 * with the light citizen entry (citizen.html, src/citizen).
 */
export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <Suspense fallback={<Loading />}>
            <SessionGate />
          </Suspense>
        </SessionProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
