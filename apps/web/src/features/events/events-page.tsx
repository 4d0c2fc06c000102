import type { AgentDto, MunicipalEventDto, TeamDto } from '@guichet/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCancelEvent, useDuplicateEvent, useEvents, useUpdateEvent } from '../../hooks/use-events';
import { apiErrorText } from '../../lib/api-error-text';
import { eventHref } from '../../lib/router';
import { EditorActions, RowButton } from '../admin/editor-parts';
import { FormError } from '../setup/public-card';
import { EventEditor } from './event-editor';
import { EVENT_STATES, eventState, filterEvents, NO_EVENT_FILTERS, type EventFilters } from './event-filters';
import { eventWhen, fromLocalInput, isPast, toLocalInput } from './event-time';
import { RegistrantsPage } from './registrants-page';
import './events.css';
import { addFrenchWords } from '../../i18n';
import { eventsFr } from '../../i18n/fr-events';

addFrenchWords(eventsFr);

type Panel =
  | { kind: 'new' }
  | { kind: 'edit'; event: MunicipalEventDto }
  | { kind: 'duplicate'; event: MunicipalEventDto }
  | { kind: 'cancel'; event: MunicipalEventDto };

/**
 * Municipal events (issue 17): the events of the agent's services (supervisors and admins: all),
 * upcoming or past; create, edit, duplicate, publish or withdraw, cancel with a message to every
 * registrant; each opens its registrants (`#/evenements/<id>`). « n » starts a new event.
 */
export function EventsPage({ me, teams, eventId }: { me: AgentDto; teams: TeamDto[] | undefined; eventId: string | null }) {
  if (eventId) return <RegistrantsPage eventId={eventId} />;
  return <EventsList me={me} teams={teams} />;
}

function EventsList({ me, teams }: { me: AgentDto; teams: TeamDto[] | undefined }) {
  const { t, i18n } = useTranslation();
  // What the last action did, shown and read (polite).
  const [notice, announce] = useState('');
  const [tab, setTab] = useState<'upcoming' | 'past'>('upcoming');
  // Past events come with every event: the list asks for them only when that tab is open.
  const events = useEvents(tab === 'past');
  const update = useUpdateEvent();
  const [panel, setPanel] = useState<Panel | null>(null);
  const manager = me.role === 'admin' || me.role === 'supervisor';
  const myTeams = (teams ?? []).filter((team) => manager || me.teamIds.includes(team.id));
  const [filters, setFilters] = useState<EventFilters>(NO_EVENT_FILTERS);
  const inPeriod = (events.data ?? []).filter((e) => (tab === 'past' ? isPast(e) : !isPast(e)));
  const shown = filterEvents(inPeriod, filters);
  if (tab === 'past') shown.reverse();
  // The services offered are those of the listed events (an agent's own, or all for a manager).
  const services = [...new Map(inPeriod.map((e) => [e.teamId, e.teamName])).entries()].sort((a, b) =>
    a[1].localeCompare(b[1], 'fr'),
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey || !target) return;
      if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault();
      setPanel({ kind: 'new' });
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const placesText = (e: MunicipalEventDto) => t('events.placesOf', { booked: e.bookedPlaces, capacity: e.capacity });

  return (
    <section className="events-page" aria-labelledby="events-title">
      <div className="admin-toolbar">
        <h1 id="events-title" className="events-page__title">
          {t('events.title')}
        </h1>
        <button
          type="button"
          className="button button--primary"
          aria-expanded={panel?.kind === 'new'}
          aria-keyshortcuts="n"
          onClick={() => setPanel(panel?.kind === 'new' ? null : { kind: 'new' })}
        >
          {t('events.new')} <kbd className="events-page__kbd">n</kbd>
        </button>
      </div>
      <p className="field__hint">{manager ? t('events.introManager') : t('events.intro')}</p>
      <div className="segmented" role="group" aria-label={t('events.period')}>
        {(['upcoming', 'past'] as const).map((value) => (
          <button
            key={value}
            type="button"
            className="segmented__option"
            aria-pressed={tab === value}
            onClick={() => setTab(value)}
          >
            {t(`events.tabs.${value}`)}
          </button>
        ))}
      </div>
      <div className="admin-form admin-form--inline events-filters" role="group" aria-label={t('events.filters')}>
        <div className="form-row">
          <div className="field">
            <label htmlFor="events-filter-service">{t('events.filterService')}</label>
            <select
              id="events-filter-service"
              value={filters.teamId}
              onChange={(e) => setFilters({ ...filters, teamId: e.target.value })}
            >
              <option value="">{t('events.filterAnyService')}</option>
              {services.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="events-filter-from">{t('events.filterFrom')}</label>
            <input
              id="events-filter-from"
              type="date"
              value={filters.from}
              onChange={(e) => setFilters({ ...filters, from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="events-filter-state">{t('events.filterState')}</label>
            <select
              id="events-filter-state"
              value={filters.state}
              onChange={(e) => setFilters({ ...filters, state: e.target.value as EventFilters['state'] })}
            >
              <option value="">{t('events.filterAnyState')}</option>
              {EVENT_STATES.map((state) => (
                <option key={state} value={state}>
                  {t(`events.state.${state}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>
      {panel?.kind === 'new' || panel?.kind === 'edit' ? (
        <EventEditor
          key={panel.kind === 'edit' ? panel.event.id : 'new'}
          event={panel.kind === 'edit' ? panel.event : null}
          teams={myTeams}
          onDone={(saved) => {
            setPanel(null);
            if (saved) announce(t(panel.kind === 'edit' ? 'events.saved' : 'events.created', { title: saved.title }));
          }}
        />
      ) : null}
      {panel?.kind === 'duplicate' ? (
        <DuplicateForm
          event={panel.event}
          onDone={(copy) => {
            if (copy) {
              announce(t('events.duplicated', { title: copy.title }));
              setPanel({ kind: 'edit', event: copy });
            } else setPanel(null);
          }}
        />
      ) : null}
      {panel?.kind === 'cancel' ? (
        <CancelForm
          event={panel.event}
          onDone={(messaged) => {
            setPanel(null);
            if (messaged !== null) announce(t('events.cancelled', { title: panel.event.title, count: messaged }));
          }}
        />
      ) : null}
      <div role="status" aria-live="polite" aria-atomic="true">
        {notice ? <p className="notice notice--success">{notice}</p> : null}
      </div>
      <FormError id="events-row-error" error={update.error ? apiErrorText(t, update.error) : null} />
      {events.isPending ? <p role="status">{t('app.loading')}</p> : null}
      {events.isError ? <p className="form-error">{apiErrorText(t, events.error)}</p> : null}
      <table className="admin-table events-table" data-testid="events-table">
        <caption className="visually-hidden">{t(`events.tabs.${tab}`)}</caption>
        <thead>
          <tr>
            <th scope="col">{t('events.colEvent')}</th>
            <th scope="col">{t('events.colDate')}</th>
            <th scope="col">{t('events.colPlaces')}</th>
            <th scope="col">{t('events.colState')}</th>
            <th scope="col">{t('events.colActions')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => {
            const cancelled = e.status === 'cancelled';
            return (
              <tr key={e.id} className={cancelled ? 'admin-table__row--muted' : undefined}>
                <th scope="row">
                  <a href={eventHref(e.id)} className="events-table__title">
                    {e.title}
                  </a>
                  <span className="events-table__meta">
                    {e.teamName} · {e.place}
                  </span>
                </th>
                <td>{eventWhen(e.startsAt, i18n.language)}</td>
                <td>
                  <span className={e.availablePlaces === 0 ? 'events-table__full' : undefined}>{placesText(e)}</span>
                  {e.waitlistCapacity > 0 ? (
                    <span className="events-table__meta">
                      {t('events.waitlistOf', { waiting: e.waitlistedPlaces, capacity: e.waitlistCapacity })}
                    </span>
                  ) : null}
                </td>
                <td>
                  <span className={`badge events-state events-state--${eventState(e)}`}>
                    {t(`events.state.${eventState(e)}`)}
                  </span>
                </td>
                <td className="admin-table__actions events-table__actions">
                  <a className="button button--secondary button--small" href={eventHref(e.id)}>
                    {t('events.registrants')}
                    <span className="visually-hidden"> {e.title}</span>
                  </a>
                  {cancelled ? null : (
                    <>
                      <RowButton
                        label={t('events.edit')}
                        name={e.title}
                        aria-expanded={panel?.kind === 'edit' && panel.event.id === e.id}
                        onClick={() => setPanel({ kind: 'edit', event: e })}
                      />
                      <RowButton
                        label={e.published ? t('events.unpublish') : t('events.publish')}
                        name={e.title}
                        onClick={() =>
                          update.mutate(
                            { id: e.id, input: { published: !e.published } },
                            {
                              onSuccess: (saved) =>
                                announce(
                                  t(saved.published ? 'events.publishedNow' : 'events.unpublishedNow', { title: saved.title }),
                                ),
                            },
                          )
                        }
                      />
                    </>
                  )}
                  <RowButton
                    label={t('events.duplicate')}
                    name={e.title}
                    onClick={() => setPanel({ kind: 'duplicate', event: e })}
                  />
                  {cancelled ? null : (
                    <RowButton
                      label={t('events.cancel')}
                      name={e.title}
                      className="button button--danger button--small"
                      onClick={() => setPanel({ kind: 'cancel', event: e })}
                    />
                  )}
                </td>
              </tr>
            );
          })}
          {events.data && !shown.length ? (
            <tr>
              <td colSpan={5}>
                {inPeriod.length ? t('events.emptyFiltered') : tab === 'past' ? t('events.emptyPast') : t('events.empty')}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}

/** A copy on another date (a workshop every week): unpublished, without registrations; its editor opens next. */
function DuplicateForm({ event, onDone }: { event: MunicipalEventDto; onDone(copy: MunicipalEventDto | null): void }) {
  const { t } = useTranslation();
  const duplicate = useDuplicateEvent();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (duplicate.isPending) return;
    const f = new FormData(e.currentTarget);
    const startsAt = fromLocalInput(String(f.get('startsAt') ?? ''));
    duplicate.mutate({ id: event.id, input: startsAt ? { startsAt } : {} }, { onSuccess: (copy) => onDone(copy) });
  }
  return (
    <form className="admin-form admin-form--inline" noValidate onSubmit={onSubmit} aria-labelledby="dup-title">
      <h2 id="dup-title">{t('events.duplicateTitle', { title: event.title })}</h2>
      <div className="field">
        <label className="field__label" htmlFor="dup-startsAt">
          {t('events.duplicateStartsAt')}
        </label>
        <p className="field__hint" id="dup-hint">
          {t('events.duplicateHint')}
        </p>
        <input
          ref={first}
          id="dup-startsAt"
          className="field__input"
          type="datetime-local"
          name="startsAt"
          aria-describedby="dup-hint"
          defaultValue={toLocalInput(event.startsAt)}
        />
      </div>
      <FormError id="dup-error" error={duplicate.error ? apiErrorText(t, duplicate.error) : null} />
      <EditorActions
        pending={duplicate.isPending}
        onCancel={() => onDone(null)}
        submitLabel={t('events.duplicateSubmit')}
        cancelLabel={t('events.close')}
      />
    </form>
  );
}

/** Cancelling an event writes the agent's message to every registrant, in each one's conversation. */
function CancelForm({ event, onDone }: { event: MunicipalEventDto; onDone(messaged: number | null): void }) {
  const { t, i18n } = useTranslation();
  const cancel = useCancelEvent();
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (cancel.isPending) return;
    const message = String(new FormData(e.currentTarget).get('message') ?? '').trim();
    cancel.mutate({ id: event.id, input: { message } }, { onSuccess: (r) => onDone(r.messaged) });
  }
  return (
    <form className="admin-form admin-form--inline events-cancel" noValidate onSubmit={onSubmit} aria-labelledby="cancel-title">
      <h2 id="cancel-title">{t('events.cancelTitle', { title: event.title })}</h2>
      <p className="notice notice--warning">
        {t('events.cancelWarning', { count: event.bookedPlaces + event.waitlistedPlaces })}
      </p>
      <div className="field">
        <label className="field__label" htmlFor="cancel-message">
          {t('events.cancelMessage')}
          <span aria-hidden="true"> *</span>
        </label>
        <textarea
          ref={first}
          id="cancel-message"
          className="field__input"
          name="message"
          rows={4}
          required
          maxLength={2000}
          defaultValue={t('events.cancelDefault', { title: event.title, when: eventWhen(event.startsAt, i18n.language) })}
        />
      </div>
      <FormError id="cancel-error" error={cancel.error ? apiErrorText(t, cancel.error) : null} />
      <EditorActions
        pending={cancel.isPending}
        onCancel={() => onDone(null)}
        submitLabel={t('events.cancelSubmit')}
        cancelLabel={t('events.keep')}
        danger
      />
    </form>
  );
}
