import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { usePublicReply, usePublicRequest } from '../../hooks/use-public';
import { currentLanguage } from '../../i18n';
import { formatDateTime } from '../../lib/format';
import { PublicLayout } from './public-layout';

/** `/suivi/:reference?token=…`: where the citizen follows their request and answers. */
export function TrackingPage({ reference, token }: { reference: string; token: string }) {
  const { t } = useTranslation();
  const request = usePublicRequest(reference, token);
  const reply = usePublicReply(reference, token);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const language = currentLanguage();

  useEffect(() => {
    document.title = t('public.trackingTitle', { reference });
  }, [reference, t]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!body.trim()) {
      setError(t('public.errors.body'));
      return;
    }
    setError(null);
    reply.mutate(body, {
      onSuccess: () => setBody(''),
      onError: (e) => setError(e.isNetworkError ? t('errors.network') : e.message),
    });
  }

  if (request.isPending) {
    return (
      <PublicLayout organization={null}>
        <p role="status">{t('app.loading')}</p>
      </PublicLayout>
    );
  }
  if (request.isError) {
    return (
      <PublicLayout organization={null}>
        <h1 className="public__title">{t('public.notFoundTitle')}</h1>
        <p>{hasStatus(request.error, 404) || hasStatus(request.error, 403) || hasStatus(request.error, 400) ? t('public.requestNotFound') : t('errors.network')}</p>
      </PublicLayout>
    );
  }

  const r = request.data;
  return (
    <PublicLayout organization={null}>
      <h1 className="public__title">{r.subject?.trim() || t('public.noSubject')}</h1>
      <dl className="public-facts">
        <div>
          <dt>{t('public.reference')}</dt>
          <dd className="public__reference">{r.reference}</dd>
        </div>
        <div>
          <dt>{t('public.status')}</dt>
          <dd>
            <span className={`status-pill status-${r.status}`} data-testid="tracking-status">
              {t(`public.statuses.${r.status}`)}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('public.team')}</dt>
          <dd>{r.service}</dd>
        </div>
        <div>
          <dt>{t('public.sentOn')}</dt>
          <dd>{formatDateTime(r.createdAt, language)}</dd>
        </div>
      </dl>
      <h2 className="public__subtitle">{t('public.exchanges')}</h2>
      <ol className="public-thread" aria-live="polite">
        {r.messages.map((m) => (
          <li key={m.id} className={`public-message public-message--${m.direction}`} data-testid="public-message">
            <p className="public-message__meta">
              <strong>{m.direction === 'inbound' ? t('public.you') : t('public.townHall')}</strong> · {formatDateTime(m.createdAt, language)}
            </p>
            <p className="public-message__body">{m.body}</p>
            {m.attachments.length > 0 ? (
              <ul className="public-message__files">
                {m.attachments.map((a) => (
                  <li key={a.fileName}>📎 {a.fileName}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {r.status === 'closed' ? (
        <p className="notice">{t('public.closed')}</p>
      ) : (
        <form className="public-form" onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor="tracking-reply">{t('public.replyLabel')}</label>
            <textarea
              id="tracking-reply"
              rows={5}
              value={body}
              onChange={(e) => setBody(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'tracking-error' : undefined}
            />
            {error ? (
              <p className="form-error" id="tracking-error" role="alert">
                {error}
              </p>
            ) : null}
          </div>
          <button type="submit" className="button button--primary button--block" aria-disabled={reply.isPending || undefined}>
            {reply.isPending ? t('public.sending') : t('public.sendReply')}
          </button>
          {reply.isSuccess && !body ? (
            <p className="notice" role="status">
              {t('public.replySent')}
            </p>
          ) : null}
        </form>
      )}
    </PublicLayout>
  );
}
