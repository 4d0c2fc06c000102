import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { conversationsApi } from '../../api/conversations';
import type { RealtimeStatus } from '../../realtime/realtime-context';

const CAUGHT_UP_SCAN = 100;
const CAUGHT_UP_VISIBLE_MS = 15_000;

function subscribeOnline(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** Whether the browser says it has a network. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine);
}

/**
 * Says so while the connection is lost (nothing the agent does is sent meanwhile), and, once it
 * is back, what was caught up: how many of the agent's conversations moved during the cut.
 */
export function ConnectionBanner({ status }: { status: RealtimeStatus }) {
  const { t } = useTranslation();
  const online = useOnline();
  const lost = !online || status === 'reconnecting' || status === 'offline';
  const lostAt = useRef<number | null>(null);
  const [caughtUp, setCaughtUp] = useState<number | null>(null);

  useEffect(() => {
    if (lost) {
      lostAt.current ??= Date.now();
      return;
    }
    const since = lostAt.current;
    if (since === null || status !== 'connected') return;
    lostAt.current = null;
    const controller = new AbortController();
    let hide: ReturnType<typeof setTimeout> | undefined;
    conversationsApi
      .list({}, null, controller.signal, CAUGHT_UP_SCAN)
      .then((page) => {
        setCaughtUp(page.items.filter((c) => Date.parse(c.lastMessageAt) >= since).length);
        hide = setTimeout(() => setCaughtUp(null), CAUGHT_UP_VISIBLE_MS);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (hide) clearTimeout(hide);
    };
  }, [lost, status]);

  if (lost) {
    return (
      <div className="connection-banner connection-banner--lost" role="alert" data-testid="connection-banner">
        <strong>{online ? t('connection.lostServer') : t('connection.lostNetwork')}</strong> {t('connection.lostText')}
      </div>
    );
  }
  if (caughtUp === null) return null;
  return (
    <div className="connection-banner connection-banner--back" role="status" data-testid="connection-banner">
      <strong>{t('connection.back')}</strong> {t('connection.caughtUp', { count: caughtUp })}
      <button type="button" className="button button--secondary button--small" onClick={() => setCaughtUp(null)}>
        {t('toast.dismiss')}
      </button>
    </div>
  );
}
