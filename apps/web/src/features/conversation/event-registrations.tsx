import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useContactRegistrations } from '../../hooks/use-events';
import { eventHref } from '../../lib/router';

/**
 * The citizen's registrations to municipal events (issue 17), in their file: each with its
 * status, places and date, linked to the event's registrants. Agents see their services' events.
 */
export function EventRegistrations({ contactId }: { contactId: string }) {
  const { t, i18n } = useTranslation();
  const list = useContactRegistrations(contactId);
  const ids = useId();
  if (list.isPending || list.isError) return null;
  return (
    <section aria-labelledby={`${ids}-title`} data-testid="citizen-registrations">
      <h4 className="citizen-panel__heading" id={`${ids}-title`}>
        {t('citizen.registrations')}
      </h4>
      {list.data.length === 0 ? (
        <p className="citizen-panel__muted">{t('citizen.noRegistrations')}</p>
      ) : (
        <ul className="other-list">
          {list.data.map((r) => (
            <li key={r.id}>
              <a href={eventHref(r.event.id)} className="other-list__link">
                <span className="other-list__subject">{r.event.title}</span>
                <span className="other-list__meta">
                  {t('citizen.registrationLine', {
                    status: t(`registrants.statuses.${r.status}`),
                    places: r.places,
                    when: new Date(r.event.startsAt).toLocaleDateString(i18n.language, {
                      day: 'numeric',
                      month: 'short',
                      year: 'numeric',
                    }),
                  })}
                  {r.event.cancelled
                    ? ` · ${t(r.event.sessionCancelled ? 'citizen.sessionCancelled' : 'citizen.eventCancelled')}`
                    : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
