import type { EventSessionDto, MunicipalEventDto } from '@guichet/contracts';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAddSession, useCancelSession, useUpdateSession } from '../../hooks/use-events';
import { apiErrorText } from '../../lib/api-error-text';
import { FormError } from '../setup/public-card';
import { eventWhen, fromLocalInput, toLocalInput } from './event-time';

/** Dates and places of a session as a form sends them (an unreadable number goes as typed: the API says why). */
function sessionInput(f: FormData) {
  const s = (k: string) => String(f.get(k) ?? '').trim();
  const n = (k: string) => (s(k) === '' ? undefined : Number(s(k)));
  return {
    startsAt: fromLocalInput(s('startsAt')) ?? '',
    endsAt: fromLocalInput(s('endsAt')),
    capacity: n('capacity'),
    waitlistCapacity: n('waitlistCapacity') ?? 0,
  };
}

/** The four fields of a session (start, end, places, waiting list), with `prefix` for their ids. */
function SessionFields({ prefix, session }: { prefix: string; session?: EventSessionDto }) {
  const { t } = useTranslation();
  const field = (name: string, label: string, props: Record<string, unknown>) => (
    <div className="field">
      <label className="field__label" htmlFor={`${prefix}-${name}`}>
        {label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input id={`${prefix}-${name}`} className="field__input" name={name} {...props} />
    </div>
  );
  return (
    <div className="form-row">
      {field('startsAt', t('events.startsAt'), {
        type: 'datetime-local',
        required: true,
        defaultValue: toLocalInput(session?.startsAt),
      })}
      {field('endsAt', t('events.endsAt'), { type: 'datetime-local', defaultValue: toLocalInput(session?.endsAt) })}
      {field('capacity', t('events.capacity'), {
        type: 'number',
        min: 1,
        inputMode: 'numeric',
        required: true,
        defaultValue: session?.capacity,
      })}
      {field('waitlistCapacity', t('events.waitlistCapacity'), {
        type: 'number',
        min: 0,
        inputMode: 'numeric',
        defaultValue: session?.waitlistCapacity ?? 0,
      })}
    </div>
  );
}

/**
 * The sessions of an event (issue 17: a workshop on three afternoons): each with its dates and
 * places; an agent adds one, changes one (its registrants are told of a new date) or cancels one
 * with a message to its registrants. An event of one session shows it, and the way to add more.
 */
export function SessionsPanel({ event: e, onNotice }: { event: MunicipalEventDto; onNotice(text: string): void }) {
  const { t, i18n } = useTranslation();
  const ids = useId();
  const add = useAddSession(e.id);
  const update = useUpdateSession(e.id);
  const cancel = useCancelSession(e.id);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const over = e.status === 'cancelled';
  const open = e.sessions.filter((s) => !s.cancelledAt);
  const when = (s: EventSessionDto) => eventWhen(s.startsAt, i18n.language);

  function onAdd(f: FormEvent<HTMLFormElement>) {
    f.preventDefault();
    add.mutate(sessionInput(new FormData(f.currentTarget)), {
      onSuccess: () => {
        setAdding(false);
        onNotice(t('eventSessions.added'));
      },
    });
  }

  function onEdit(f: FormEvent<HTMLFormElement>, s: EventSessionDto) {
    f.preventDefault();
    update.mutate(
      { sessionId: s.id, input: sessionInput(new FormData(f.currentTarget)) },
      {
        onSuccess: () => {
          setEditing(null);
          onNotice(t('eventSessions.updated', { when: when(s) }));
        },
      },
    );
  }

  function onCancel(f: FormEvent<HTMLFormElement>, s: EventSessionDto) {
    f.preventDefault();
    const message = String(new FormData(f.currentTarget).get('message') ?? '').trim();
    cancel.mutate(
      { sessionId: s.id, input: { message } },
      {
        onSuccess: (r) => {
          setCancelling(null);
          onNotice(t('eventSessions.cancelled', { when: when(s), count: r.messaged }));
        },
      },
    );
  }

  // An event of one session: its dates and places are the event's (the counts above); only the way to add one more.
  const several = e.sessions.length > 1;
  if (!several && over) return null;
  return (
    <section
      className="sessions-panel"
      aria-labelledby={several ? `${ids}-title` : undefined}
      aria-label={several ? undefined : t('eventSessions.title', { count: 1 })}
      data-testid="sessions-panel"
    >
      {several ? (
        <h2 id={`${ids}-title`} className="sessions-panel__title">
          {t('eventSessions.title', { count: open.length })}
        </h2>
      ) : null}
      {several ? (
        <ul className="sessions-panel__list">
          {e.sessions.map((s) => (
            <li
              key={s.id}
              className={s.cancelledAt ? 'sessions-panel__item sessions-panel__item--cancelled' : 'sessions-panel__item'}
            >
              <div className="sessions-panel__summary">
                <strong>{when(s)}</strong>
                <span>
                  {s.cancelledAt
                    ? t('eventSessions.isCancelled')
                    : t('eventSessions.places', { booked: s.bookedPlaces, capacity: s.capacity, waiting: s.waitlistedPlaces })}
                </span>
                {!over && !s.cancelledAt && editing !== s.id && cancelling !== s.id ? (
                  <span className="sessions-panel__actions">
                    <button type="button" className="button button--secondary button--small" onClick={() => setEditing(s.id)}>
                      {t('eventSessions.edit')}
                      <span className="visually-hidden"> {when(s)}</span>
                    </button>
                    {open.length > 1 ? (
                      <button
                        type="button"
                        className="button button--secondary button--small"
                        onClick={() => setCancelling(s.id)}
                      >
                        {t('eventSessions.cancel')}
                        <span className="visually-hidden"> {when(s)}</span>
                      </button>
                    ) : null}
                  </span>
                ) : null}
              </div>
              {editing === s.id ? (
                <form
                  className="admin-form sessions-panel__form"
                  noValidate
                  onSubmit={(f) => onEdit(f, s)}
                  aria-label={t('eventSessions.editLabel', { when: when(s) })}
                >
                  <SessionFields prefix={`${ids}-${s.id.slice(0, 8)}`} session={s} />
                  <p className="field__hint">{t('eventSessions.editHint')}</p>
                  <FormError
                    id={`${ids}-${s.id.slice(0, 8)}-error`}
                    error={update.error ? apiErrorText(t, update.error) : null}
                  />
                  <div className="form-row">
                    <button type="submit" className="button button--primary" disabled={update.isPending}>
                      {t('eventSessions.save')}
                    </button>
                    <button type="button" className="button button--secondary" onClick={() => setEditing(null)}>
                      {t('events.close')}
                    </button>
                  </div>
                </form>
              ) : null}
              {cancelling === s.id ? (
                <form
                  className="admin-form sessions-panel__form"
                  noValidate
                  onSubmit={(f) => onCancel(f, s)}
                  aria-label={t('eventSessions.cancelLabel', { when: when(s) })}
                >
                  <div className="field">
                    <label className="field__label" htmlFor={`${ids}-${s.id.slice(0, 8)}-message`}>
                      {t('eventSessions.message')}
                      <span aria-hidden="true"> *</span>
                    </label>
                    <textarea
                      id={`${ids}-${s.id.slice(0, 8)}-message`}
                      className="field__input"
                      name="message"
                      rows={3}
                      required
                    />
                  </div>
                  <FormError
                    id={`${ids}-${s.id.slice(0, 8)}-cancel-error`}
                    error={cancel.error ? apiErrorText(t, cancel.error) : null}
                  />
                  <div className="form-row">
                    <button type="submit" className="button button--danger" disabled={cancel.isPending}>
                      {t('eventSessions.confirmCancel')}
                    </button>
                    <button type="button" className="button button--secondary" onClick={() => setCancelling(null)}>
                      {t('eventSessions.keep')}
                    </button>
                  </div>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {over ? null : adding ? (
        <form className="admin-form sessions-panel__form" noValidate onSubmit={onAdd} aria-label={t('eventSessions.add')}>
          <SessionFields prefix={`${ids}-new`} />
          <FormError id={`${ids}-new-error`} error={add.error ? apiErrorText(t, add.error) : null} />
          <div className="form-row">
            <button type="submit" className="button button--primary" disabled={add.isPending}>
              {t('eventSessions.addSubmit')}
            </button>
            <button type="button" className="button button--secondary" onClick={() => setAdding(false)}>
              {t('events.close')}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="button button--secondary" onClick={() => setAdding(true)}>
          {t('eventSessions.add')}
        </button>
      )}
    </section>
  );
}
