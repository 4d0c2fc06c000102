import type { SessionDto } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { signInApi } from '../../api/sign-in';
import { RelativeTime } from '../../components/relative-time';
import { useAnnounce } from '../../lib/use-announcer';
import { describeUserAgent } from './user-agent';
import './sign-in-screens.css';

/** The agent's own sessions (`#/compte/sessions`): where they are signed in; end one or all the others. */
export function SessionsPage() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const queryClient = useQueryClient();
  const sessions = useQuery<SessionDto[], ApiError>({
    queryKey: queryKeys.sessions(),
    queryFn: ({ signal }) => signInApi.sessions(signal),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.sessions() });
  const revoke = useMutation<void, ApiError, string>({
    mutationFn: (id) => signInApi.revokeSession(id),
    onSuccess: () => announce(t('sessions.revoked')),
    onSettled: refresh,
  });
  const revokeOthers = useMutation<{ ended: number }, ApiError>({
    mutationFn: () => signInApi.revokeOtherSessions(),
    onSuccess: ({ ended }) => announce(t('sessions.othersRevoked', { count: ended })),
    onSettled: refresh,
  });
  // This session first, then the others as the API orders them (most recently used first).
  const list = [...(sessions.data ?? [])].sort((a, b) => Number(b.current) - Number(a.current));
  const others = list.filter((s) => !s.current);
  const error = sessions.error ?? revoke.error ?? revokeOthers.error;

  return (
    <div className="board sign-in-screen" data-testid="sessions-page">
      <h1 className="board__title" tabIndex={-1}>
        {t('sessions.title')}
      </h1>
      <p className="sign-in-screen__intro">{t('sessions.intro')}</p>
      {error ? (
        <p className="form-error" role="alert">
          {error.isNetworkError ? t('errors.network') : error.message}
        </p>
      ) : null}
      {sessions.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <ul className="session-list">
        {list.map((s) => {
          const device = describeUserAgent(s.userAgent, 'sous') ?? t('sessions.unknownDevice');
          const method =
            s.method === 'oidc' && s.provider
              ? t('sessions.viaProvider', { provider: s.provider })
              : t(`sessions.methods.${s.method}`);
          return (
            <li key={s.id} className={s.current ? 'session-card session-card--current' : 'session-card'}>
              <div className="session-card__main">
                <p className="session-card__device">
                  <strong>{device}</strong>
                  {s.current ? <span className="session-card__badge">{t('sessions.current')}</span> : null}
                </p>
                <p className="session-card__method">{t('sessions.via', { method })}</p>
                <dl className="session-card__facts">
                  <div>
                    <dt>{t('sessions.createdAt')}</dt>
                    <dd>
                      <RelativeTime iso={s.createdAt} />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('sessions.lastSeen')}</dt>
                    <dd>
                      <RelativeTime iso={s.lastSeenAt} />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('sessions.ip')}</dt>
                    <dd>{s.ip ?? '—'}</dd>
                  </div>
                </dl>
              </div>
              {s.current ? null : (
                <button
                  type="button"
                  className="button button--secondary"
                  aria-label={t('sessions.revokeLabel', { device })}
                  aria-disabled={revoke.isPending || undefined}
                  onClick={() => !revoke.isPending && revoke.mutate(s.id)}
                >
                  {t('sessions.revoke')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {sessions.isSuccess && others.length === 0 ? <p>{t('sessions.noOthers')}</p> : null}
      {others.length > 1 ? (
        <button
          type="button"
          className="button button--primary"
          aria-disabled={revokeOthers.isPending || undefined}
          onClick={() => !revokeOthers.isPending && revokeOthers.mutate()}
        >
          {t('sessions.revokeOthers')}
        </button>
      ) : null}
    </div>
  );
}
