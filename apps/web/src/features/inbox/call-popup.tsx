import type { CallRingingDto } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';
import { inboxHref, type InboxRoute } from '../../lib/router';

/** Incoming calls: who is calling (recognised or not) and their conversations in progress. */
export function CallPopups({
  calls,
  route,
  onDismiss,
}: {
  calls: CallRingingDto[];
  route: InboxRoute;
  onDismiss(callId: string): void;
}) {
  const { t } = useTranslation();
  if (calls.length === 0) return null;
  return (
    <div className="call-popups">
      {calls.map((call) => (
        <section key={call.callId} className="call-popup" aria-labelledby={`call-${call.callId}`} data-testid="call-popup">
          <h2 className="call-popup__title" id={`call-${call.callId}`} role="alert">
            <span aria-hidden="true">📞 </span>
            {t('call.ringing', { name: call.contact?.name?.trim() || call.from })}
          </h2>
          <p className="call-popup__number">{call.contact ? call.from : t('call.unknown')}</p>
          <ul className="call-popup__list">
            <li>
              <a href={inboxHref({ ...route, conversationId: call.conversationId })} onClick={() => onDismiss(call.callId)}>
                {t('call.openCall')}
              </a>
            </li>
            {call.openConversations
              .filter((c) => c.id !== call.conversationId)
              .map((c) => (
                <li key={c.id}>
                  <a href={inboxHref({ ...route, conversationId: c.id })} onClick={() => onDismiss(call.callId)}>
                    {c.subject?.trim() || t('list.noSubject')} ({t(`statusOne.${c.status}`)})
                  </a>
                </li>
              ))}
          </ul>
          <button type="button" className="button button--secondary button--small" onClick={() => onDismiss(call.callId)}>
            {t('call.dismiss')}
          </button>
        </section>
      ))}
    </div>
  );
}
