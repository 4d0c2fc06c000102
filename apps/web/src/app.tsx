import { QueryClientProvider } from '@tanstack/react-query';
import { I18nextProvider } from 'react-i18next';
import { LoginPage } from './features/login/login-page';
import { InboxShell } from './features/inbox/inbox-shell';
import { i18n } from './i18n';
import { createQueryClient } from './lib/query-client';
import { SessionProvider, useSession } from './session/session-context';

const queryClient = createQueryClient();

function SessionGate() {
  const { session } = useSession();
  // A new token remounts the shell: a fresh socket and nothing from the previous agent.
  return session ? <InboxShell key={session.token} /> : <LoginPage />;
}

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
