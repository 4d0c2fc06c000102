/* global document */
// The bundle-size baseline: the web app's runtime dependencies, each used once, and nothing else
// (built by bench/bundle-size.ts with the same Vite as the app). What the app weighs above this is
// its own code.
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import i18next from 'i18next';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { initReactI18next, useTranslation } from 'react-i18next';
import { io } from 'socket.io-client';

void i18next.use(initReactI18next).init({ lng: 'fr', resources: { fr: { translation: { hello: 'Bonjour' } } } });
const socket = io({ path: '/socket.io', transports: ['websocket'], autoConnect: false });
const client = new QueryClient();

function Hello() {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['hello'], queryFn: () => Promise.resolve(socket.id ?? '') });
  return createElement('p', null, t('hello'), ' ', data);
}

createRoot(document.getElementById('root')).render(createElement(QueryClientProvider, { client }, createElement(Hello)));
