import type { TeamDto } from '@guichet/contracts';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { lazyScreen } from '../../lib/lazy-screen';
import type { InboxRoute } from '../../lib/router';

/**
 * The right-hand pane of the inbox. The open conversation (thread, composer, actions, citizen's
 * panel, previews) is a chunk of its own: the inbox's list is what the first download brings, and
 * the conversation's code follows a moment later, or at once when the address names a file.
 */
const loadDetail = () => import('./conversation-detail').then((m) => m.ConversationDetail);
const ConversationDetail = lazyScreen(loadDetail);
const PRELOAD_DELAY_MS = 1_000;

function DetailLoading() {
  const { t } = useTranslation();
  return (
    <section className="detail-pane" aria-busy="true">
      <p role="status">{t('app.loading')}</p>
    </section>
  );
}

interface ConversationPanelProps {
  route: InboxRoute;
  teams: TeamDto[] | undefined;
}

export function ConversationPanel({ route, teams }: ConversationPanelProps) {
  const { t } = useTranslation();
  // Loaded once the inbox is on screen, so opening a file does not wait for it.
  useEffect(() => {
    const timer = setTimeout(() => void loadDetail().catch(() => undefined), PRELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  if (!route.conversationId) {
    return (
      <section className="detail-pane detail-pane--empty" aria-labelledby="detail-empty-title">
        <div className="empty-state">
          <span className="empty-state__icon" aria-hidden="true">
            📨
          </span>
          <h2 id="detail-empty-title" className="empty-state__title">
            {t('conversation.placeholderTitle')}
          </h2>
          <p className="empty-state__text">{t('conversation.placeholderText')}</p>
        </div>
      </section>
    );
  }
  return (
    <Suspense fallback={<DetailLoading />}>
      <ConversationDetail key={route.conversationId} id={route.conversationId} route={route} teams={teams} />
    </Suspense>
  );
}
