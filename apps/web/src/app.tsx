import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { setupApi } from './api/admin';
import { queryKeys } from './api/query-keys';
import { ForgotPasswordPage, isForgotPasswordHash, isPasswordHash, PasswordPage } from './features/account/password-page';
import { LoginPage } from './features/login/login-page';
import { InboxShell } from './features/inbox/inbox-shell';
import { SetupPage } from './features/setup/setup-page';
import { i18n } from './i18n';
import { createQueryClient } from './lib/query-client';
import { useHash } from './lib/router';
import { SessionProvider, useSession } from './session/session-context';

const queryClient = createQueryClient();

function SessionGate() {
  const { t } = useTranslation();
  const { session, restoring } = useSession();
  const hash = useHash();
  // An empty database opens the first-run page instead of the login (an unreachable server: the login).
  const setup = useQuery({ queryKey: queryKeys.setup(), queryFn: ({ signal }) => setupApi.status(signal), staleTime: Infinity });
  if (isPasswordHash(hash)) return <PasswordPage hash={hash} />;
  if (isForgotPasswordHash(hash)) return <ForgotPasswordPage />;
  if (restoring || setup.isPending) return <p role="status">{t('app.loading')}</p>;
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
          <SessionGate />
        </SessionProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
