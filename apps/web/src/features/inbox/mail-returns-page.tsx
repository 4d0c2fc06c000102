import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mailReturnsApi } from '../../api/mail-returns';
import { useMailReturns } from '../../hooks/use-mail-returns';
import { downloadFromApi } from '../../lib/download';

/**
 * The services' mail returns: delivery reports their mailboxes received about no message Guichet
 * sent (a mail written from another client, an address that no longer exists). They open no
 * file, so they are listed here for the service's agents, with the report to download.
 */
export function MailReturnsPage() {
  const { t } = useTranslation();
  const returns = useMailReturns();
  const [failed, setFailed] = useState(false);
  const download = (id: string) => {
    setFailed(false);
    downloadFromApi(mailReturnsApi.sourcePath(id), 'avis-de-non-remise.eml').catch(() => setFailed(true));
  };
  return (
    <div className="board" data-testid="mail-returns">
      <h1 className="board__title" tabIndex={-1}>
        {t('mailReturns.title')}
      </h1>
      <p className="mail-returns__intro">{t('mailReturns.intro')}</p>
      {failed ? (
        <p className="form-error" role="alert">
          {t('mailReturns.downloadFailed')}
        </p>
      ) : null}
      {returns.isPending ? (
        <p role="status">{t('app.loading')}</p>
      ) : returns.isError ? (
        <p className="form-error" role="alert">
          {returns.error.message}
        </p>
      ) : returns.data.length === 0 ? (
        <p>{t('mailReturns.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('mailReturns.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('mailReturns.receivedAt')}</th>
                <th scope="col">{t('mailReturns.mailbox')}</th>
                <th scope="col">{t('mailReturns.kind')}</th>
                <th scope="col">{t('mailReturns.reason')}</th>
                <th scope="col">{t('mailReturns.report')}</th>
              </tr>
            </thead>
            <tbody>
              {returns.data.map((r) => (
                <tr key={r.id} data-testid="mail-return">
                  <td>
                    {new Date(r.createdAt).toLocaleString('fr-FR', {
                      dateStyle: 'short',
                      timeStyle: 'short',
                      timeZone: 'Europe/Paris',
                    })}
                  </td>
                  <td>
                    {r.channel.name}
                    <br />
                    <span className="field__hint">{r.team.name}</span>
                  </td>
                  <td>{t(`mailReturns.kinds.${r.kind}`)}</td>
                  <td className="mail-returns__reason">
                    {r.reason}
                    {r.originalMessageId ? (
                      <>
                        <br />
                        <span className="field__hint">
                          {t('mailReturns.about')} <code>{r.originalMessageId}</code>
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {r.size !== null ? (
                      <button type="button" className="button button--secondary button--small" onClick={() => download(r.id)}>
                        {t('mailReturns.download')}
                        <span className="visually-hidden">
                          {' '}
                          {t('mailReturns.downloadOf', { date: new Date(r.createdAt).toLocaleString('fr-FR') })}
                        </span>
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
