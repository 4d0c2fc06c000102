import { QueryClientProvider } from '@tanstack/react-query';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { LoginPage } from './features/login/login-page';
import { InboxShell } from './features/inbox/inbox-shell';
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
