import {
  ACTIVE_REGISTRATION_STATUSES,
  REGISTRATION_STATUSES,
  type MunicipalEventDto,
  type RegistrationDto,
  type RegistrationStatus,
} from '@guichet/contracts';
import { useId, useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { eventsApi } from '../../api/events';
import {
  useCancelRegistration,
  useCheckIn,
  useEvent,
  useMessageRegistrants,
  usePromote,
  useRegistrations,
} from '../../hooks/use-events';
import { apiErrorText } from '../../lib/api-error-text';
import { downloadFromApi } from '../../lib/download';
import { DEFAULT_ROUTE, EVENTS_HREF, inboxHref } from '../../lib/router';
import { FormError } from '../setup/public-card';
import { eventWhen } from './event-time';
import { SessionsPanel } from './sessions-panel';

const active = (r: RegistrationDto) => ACTIVE_REGISTRATION_STATUSES.includes(r.status);
const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');

/**
 * The registrants of an event (issue 17): status, places, answers; presence on the day with big
 * targets for a tablet at the door (type a name, Enter checks the one match in); a place offered
 * from the waiting list by hand; CSV and XLSX exports; a message to all or to the ticked
 * registrants, written in each one's conversation so replies come back to the inbox.
 */
export function RegistrantsPage({ eventId }: { eventId: string }) {
  const { t, i18n } = useTranslation();
  const event = useEvent(eventId);
  const registrations = useRegistrations(eventId);
  const checkIn = useCheckIn(eventId);
  const promote = usePromote(eventId);
  const cancel = useCancelRegistration(eventId);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<RegistrationStatus | 'active' | 'all'>('active');
  /** One session's registrants (an event of several), or all. */
  const [session, setSession] = useState<string>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmingCancel, setConfirmingCancel] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [exportError, setExportError] = useState<string | null>(null);
  const ids = useId();

  const all = useMemo(() => registrations.data ?? [], [registrations.data]);
  const shown = useMemo(() => {
    const q = fold(query.trim());
    return all.filter(
      (r) =>
        (session === 'all' || r.sessionId === session) &&
        (status === 'all' || (status === 'active' ? active(r) : r.status === status)) &&
        (!q || fold(`${r.name} ${r.email ?? ''} ${r.phone ?? ''}`).includes(q)),
    );
  }, [all, query, status, session]);

  if (event.isPending) return <p role="status">{t('app.loading')}</p>;
  if (event.isError) return <p className="form-error">{apiErrorText(t, event.error)}</p>;
  const e = event.data;
  // A cancelled event keeps its list (to read, export, write to) but takes no action on a registration.
  const over = e.status === 'cancelled';
  const several = e.sessions.length > 1;
  const sessionWhen = new Map(e.sessions.map((s) => [s.id, eventWhen(s.startsAt, i18n.language)]));
  const present = all.filter((r) => r.status === 'confirmed' && r.checkedInAt).reduce((n, r) => n + r.places, 0);
  const confirmed = all.filter((r) => r.status === 'confirmed').reduce((n, r) => n + r.places, 0);

  function toggle(r: RegistrationDto) {
    const now = !r.checkedInAt;
    checkIn.mutate({ id: r.id, present: now });
    setNotice(t(now ? 'registrants.checkedIn' : 'registrants.checkedOut', { name: r.name }));
  }

  function onSearchKey(k: KeyboardEvent<HTMLInputElement>) {
    if (k.key !== 'Enter' || over) return;
    k.preventDefault();
    const matches = shown.filter((r) => r.status === 'confirmed');
    if (matches.length === 1) {
      const r = matches[0]!;
      if (!r.checkedInAt) toggle(r);
      else setNotice(t('registrants.alreadyIn', { name: r.name }));
      setQuery('');
    } else setNotice(t('registrants.matches', { count: matches.length }));
  }

  async function download(format: 'csv' | 'xlsx') {
    setExportError(null);
    try {
      await downloadFromApi(eventsApi.exportPath(eventId, format, session === 'all' ? undefined : session), `inscrits.${format}`);
      setNotice(t('registrants.exported', { format: format.toUpperCase() }));
    } catch (error) {
      setExportError(apiErrorText(t, error));
    }
  }

  const selectable = shown.filter(active);
  const allSelected = selectable.length > 0 && selectable.every((r) => selected.has(r.id));

  return (
    <section className="events-page registrants" aria-labelledby={`${ids}-title`}>
      <a className="registrants__back" href={EVENTS_HREF}>
        ← {t('registrants.back')}
      </a>
      <h1 id={`${ids}-title`} className="events-page__title">
        {t('registrants.title', { title: e.title })}
      </h1>
      <p className="registrants__summary">
        {eventWhen(e.startsAt, i18n.language)} · {e.place} · {e.teamName}
        {e.status === 'cancelled' ? (
          <>
            {' '}
            · <span className="badge events-state events-state--cancelled">{t('events.state.cancelled')}</span>
          </>
        ) : null}
      </p>
      <ul className="registrants__counts" aria-label={t('registrants.countsLabel')}>
        <li>
          <strong>{t('events.placesOf', { booked: e.bookedPlaces, capacity: e.capacity })}</strong>
        </li>
        <li>{t('registrants.waitingPlaces', { count: e.waitlistedPlaces })}</li>
        <li data-testid="present-count">{t('registrants.presentOf', { present, confirmed })}</li>
        <li>{t(`events.promotions.${e.promotion}`)}</li>
      </ul>
      {over ? (
        <p className="notice notice--warning" data-testid="cancelled-event-notice">
          {t('registrants.cancelledNotice', { date: eventWhen(e.cancelledAt ?? e.startsAt, i18n.language) })}
        </p>
      ) : null}
      <div role="status" aria-live="polite" aria-atomic="true" className="registrants__notice">
        {notice ? <p className="notice notice--success">{notice}</p> : null}
      </div>
      <SessionsPanel event={e} onNotice={setNotice} />

      <div className="registrants__toolbar">
        <div className="field registrants__search">
          <label className="field__label" htmlFor={`${ids}-search`}>
            {t('registrants.search')}
          </label>
          <p className="field__hint" id={`${ids}-search-hint`}>
            {over ? t('registrants.searchHintOver') : t('registrants.searchHint')}
          </p>
          <input
            id={`${ids}-search`}
            className="field__input"
            type="search"
            value={query}
            autoComplete="off"
            aria-describedby={`${ids}-search-hint`}
            onChange={(x) => setQuery(x.target.value)}
            onKeyDown={onSearchKey}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-status`}>
            {t('registrants.filter')}
          </label>
          <select
            id={`${ids}-status`}
            className="field__input"
            value={status}
            onChange={(x) => setStatus(x.target.value as typeof status)}
          >
            <option value="active">{t('registrants.filterActive')}</option>
            {REGISTRATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`registrants.statuses.${s}`)}
              </option>
            ))}
            <option value="all">{t('registrants.filterAll')}</option>
          </select>
        </div>
        {several ? (
          <div className="field">
            <label className="field__label" htmlFor={`${ids}-session`}>
              {t('eventSessions.filter')}
            </label>
            <select id={`${ids}-session`} className="field__input" value={session} onChange={(x) => setSession(x.target.value)}>
              <option value="all">{t('eventSessions.filterAll')}</option>
              {e.sessions.map((s) => (
                <option key={s.id} value={s.id}>
                  {sessionWhen.get(s.id)}
                  {s.cancelledAt ? ` (${t('eventSessions.isCancelled')})` : ''}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="registrants__exports" role="group" aria-label={t('registrants.export')}>
          <button type="button" className="button button--secondary" onClick={() => void download('csv')}>
            {t('registrants.exportCsv')}
          </button>
          <button type="button" className="button button--secondary" onClick={() => void download('xlsx')}>
            {t('registrants.exportXlsx')}
          </button>
        </div>
      </div>
      {exportError ? (
        <p className="form-error" role="alert">
          {exportError}
        </p>
      ) : null}
      <FormError
        id={`${ids}-row-error`}
        error={
          checkIn.error
            ? apiErrorText(t, checkIn.error)
            : promote.error
              ? apiErrorText(t, promote.error)
              : cancel.error
                ? apiErrorText(t, cancel.error)
                : null
        }
      />

      {registrations.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <div className="registrants-table-wrap">
        <table className="admin-table registrants-table" data-testid="registrants-table">
          <caption className="visually-hidden">{t('registrants.caption', { count: shown.length })}</caption>
          <thead>
            <tr>
              <th scope="col" className="registrants-table__select">
                <input
                  type="checkbox"
                  className="registrants-table__checkbox"
                  aria-label={t('registrants.selectAll')}
                  checked={allSelected}
                  disabled={selectable.length === 0}
                  onChange={() =>
                    setSelected((before) => {
                      const next = new Set(before);
                      for (const r of selectable) {
                        if (allSelected) next.delete(r.id);
                        else next.add(r.id);
                      }
                      return next;
                    })
                  }
                />
              </th>
              <th scope="col">{t('registrants.colName')}</th>
              <th scope="col">{t('registrants.colPlaces')}</th>
              <th scope="col">{t('registrants.colStatus')}</th>
              <th scope="col">{t('registrants.colAnswers')}</th>
              <th scope="col">{t('registrants.colPresence')}</th>
              <th scope="col">{t('registrants.colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <RegistrantRow
                key={r.id}
                event={e}
                sessionWhen={several ? sessionWhen.get(r.sessionId) : undefined}
                over={over}
                r={r}
                selected={selected.has(r.id)}
                onSelect={(on) =>
                  setSelected((before) => {
                    const next = new Set(before);
                    if (on) next.add(r.id);
                    else next.delete(r.id);
                    return next;
                  })
                }
                onToggle={() => toggle(r)}
                onPromote={() =>
                  promote.mutate(r.id, { onSuccess: () => setNotice(t('registrants.promoted', { name: r.name })) })
                }
                confirmingCancel={confirmingCancel === r.id}
                onCancel={() => {
                  if (confirmingCancel !== r.id) return setConfirmingCancel(r.id);
                  cancel.mutate(r.id, {
                    onSuccess: () => setNotice(t('registrants.cancelled', { name: r.name })),
                    onSettled: () => setConfirmingCancel(null),
                  });
                }}
                onKeep={() => setConfirmingCancel(null)}
              />
            ))}
            {registrations.data && !shown.length ? (
              <tr>
                <td colSpan={7}>{all.length ? t('registrants.noMatch') : t('registrants.empty')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>

      <MessageForm
        eventId={eventId}
        activeCount={all.filter(active).length}
        selected={[...selected].filter((id) => all.some((r) => r.id === id && active(r)))}
        onSent={(text) => setNotice(text)}
      />
    </section>
  );
}

function RegistrantRow({
  event: e,
  sessionWhen,
  over,
  r,
  selected,
  onSelect,
  onToggle,
  onPromote,
  confirmingCancel,
  onCancel,
  onKeep,
}: {
  event: MunicipalEventDto;
  /** The date of the registrant's session, for an event of several. */
  sessionWhen?: string;
  /** The event is cancelled: no check-in, promotion nor cancellation. */
  over: boolean;
  r: RegistrationDto;
  selected: boolean;
  onSelect(on: boolean): void;
  onToggle(): void;
  onPromote(): void;
  confirmingCancel: boolean;
  onCancel(): void;
  onKeep(): void;
}) {
  const { t } = useTranslation();
  const answers = e.questions.filter((q) => r.answers[q.id]);
  const present = !!r.checkedInAt;
  return (
    <tr className={active(r) ? undefined : 'admin-table__row--muted'} data-testid="registrant-row">
      <td className="registrants-table__select">
        {active(r) ? (
          <input
            type="checkbox"
            className="registrants-table__checkbox"
            aria-label={t('registrants.select', { name: r.name })}
            checked={selected}
            onChange={(x) => onSelect(x.target.checked)}
          />
        ) : null}
      </td>
      <th scope="row">
        <span className="registrants-table__name">{r.name}</span>
        <span className="events-table__meta">{[r.email, r.phone].filter(Boolean).join(' · ')}</span>
        {r.email && r.phone && r.channel ? (
          <span className="events-table__meta">
            {t(r.channel === 'sms' ? 'registrants.prefersSms' : 'registrants.prefersEmail')}
          </span>
        ) : null}
        {sessionWhen ? <span className="events-table__meta">{t('eventSessions.of', { when: sessionWhen })}</span> : null}
        {r.email && r.emailOptedOut ? (
          <span className="events-table__meta registrant-opted-out">{t('registrants.emailOptedOut')}</span>
        ) : null}
        {r.phone && r.phoneOptedOut ? (
          <span className="events-table__meta registrant-opted-out">{t('registrants.phoneOptedOut')}</span>
        ) : null}
        {r.conversationId ? (
          <a
            className="events-table__meta"
            href={inboxHref({ ...DEFAULT_ROUTE, view: { kind: 'team', teamId: e.teamId }, conversationId: r.conversationId })}
          >
            {t('registrants.openConversation')}
            <span className="visually-hidden"> {r.name}</span>
          </a>
        ) : null}
      </th>
      <td>{r.places}</td>
      <td>
        <span className={`badge registration-status registration-status--${r.status}`}>
          {r.status === 'cancelled' && r.cancelledBy
            ? t(`registrants.cancelledBy.${r.cancelledBy}`)
            : t(`registrants.statuses.${r.status}`)}
        </span>
        {r.position ? <span className="events-table__meta">{t('registrants.position', { n: r.position })}</span> : null}
      </td>
      <td>
        {answers.length ? (
          <dl className="registrants-table__answers">
            {answers.map((q) => (
              <div key={q.id}>
                <dt>{q.label}</dt>
                <dd>{r.answers[q.id]}</dd>
              </div>
            ))}
          </dl>
        ) : (
          '—'
        )}
      </td>
      <td>
        {over ? (
          present ? (
            t('registrants.present')
          ) : (
            '—'
          )
        ) : r.status === 'confirmed' ? (
          <button
            type="button"
            className={present ? 'presence-toggle presence-toggle--in' : 'presence-toggle'}
            aria-pressed={present}
            onClick={onToggle}
          >
            <span aria-hidden="true">{present ? '✓ ' : ''}</span>
            {t('registrants.present')}
            <span className="visually-hidden"> {r.name}</span>
          </button>
        ) : (
          '—'
        )}
      </td>
      <td className="registrants-table__actions">
        {over ? '—' : null}
        {!over && r.status === 'waitlisted' ? (
          <button type="button" className="button button--secondary button--small" onClick={onPromote}>
            {t('registrants.promote')}
            <span className="visually-hidden"> {r.name}</span>
          </button>
        ) : null}
        {!over && active(r) ? (
          confirmingCancel ? (
            <span role="group" aria-label={t('registrants.confirmCancelLabel', { name: r.name })}>
              <button type="button" className="button button--danger button--small" autoFocus onClick={onCancel}>
                {t('registrants.confirmCancel')}
              </button>{' '}
              <button type="button" className="button button--secondary button--small" onClick={onKeep}>
                {t('registrants.keep')}
              </button>
            </span>
          ) : (
            <button type="button" className="button button--secondary button--small" onClick={onCancel}>
              {t('registrants.cancel')}
              <span className="visually-hidden"> {r.name}</span>
            </button>
          )
        ) : null}
      </td>
    </tr>
  );
}

/** A message to every registrant still concerned, or to the ticked ones; it lands in each one's conversation. */
function MessageForm({
  eventId,
  activeCount,
  selected,
  onSent,
}: {
  eventId: string;
  activeCount: number;
  selected: string[];
  onSent(text: string): void;
}) {
  const { t } = useTranslation();
  const send = useMessageRegistrants(eventId);
  const [to, setTo] = useState<'all' | 'selected'>('all');
  const [body, setBody] = useState('');
  const ids = useId();
  const target = to === 'selected' && selected.length === 0 ? 'all' : to;

  function onSubmit(x: FormEvent) {
    x.preventDefault();
    if (send.isPending || !body.trim()) return;
    send.mutate(
      { body: body.trim(), ...(target === 'selected' ? { registrationIds: selected } : {}) },
      {
        onSuccess: (r) => {
          setBody('');
          onSent(
            t('registrants.messageSent', { count: r.sent }) +
              (r.pending ? ` ${t('registrants.messageSkipped', { count: r.pending })}` : '') +
              (r.unreachable ? ` ${t('registrants.messageUnreachable', { count: r.unreachable })}` : ''),
          );
        },
      },
    );
  }

  return (
    <form className="admin-form admin-form--inline registrants__message" onSubmit={onSubmit} aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t('registrants.messageTitle')}</h2>
      <p className="field__hint">{t('registrants.messageHint')}</p>
      <fieldset className="form-group">
        <legend>{t('registrants.messageTo')}</legend>
        <div className="field field--checkbox">
          <input id={`${ids}-all`} type="radio" name="to" checked={target === 'all'} onChange={() => setTo('all')} />
          <label htmlFor={`${ids}-all`}>{t('registrants.toAll', { count: activeCount })}</label>
        </div>
        <div className="field field--checkbox">
          <input
            id={`${ids}-selected`}
            type="radio"
            name="to"
            disabled={selected.length === 0}
            checked={target === 'selected'}
            onChange={() => setTo('selected')}
          />
          <label htmlFor={`${ids}-selected`}>{t('registrants.toSelected', { count: selected.length })}</label>
        </div>
      </fieldset>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-body`}>
          {t('registrants.messageBody')}
        </label>
        <textarea
          id={`${ids}-body`}
          className="field__input"
          rows={4}
          maxLength={2000}
          value={body}
          onChange={(x) => setBody(x.target.value)}
        />
      </div>
      <FormError id={`${ids}-error`} error={send.error ? apiErrorText(t, send.error) : null} />
      <div className="form-row">
        <button type="submit" className="button button--primary" aria-disabled={send.isPending || !body.trim() || undefined}>
          {target === 'selected'
            ? t('registrants.sendSelected', { count: selected.length })
            : t('registrants.sendAll', { count: activeCount })}
        </button>
      </div>
    </form>
  );
}
