import { i18nReady } from './i18n';
import './styles/base.css';
import './styles/login.css';
import './styles/inbox.css';
import './styles/screens.css';
import './styles/admin.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

// French is there at once; an agent who chose another language waits for its words (one small file).
void i18nReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
