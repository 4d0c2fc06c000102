import {
  DEFAULT_CANCEL_CUTOFF_HOURS,
  EVENT_LIMITS,
  EVENT_PROMOTIONS,
  type CreateEventInput,
  type EventPromotion,
  type EventQuestion,
  type MunicipalEventDto,
  type TeamDto,
} from '@guichet/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateEvent, useUpdateEvent } from '../../hooks/use-events';
import { apiErrorText } from '../../lib/api-error-text';
import { EditorActions } from '../admin/editor-parts';
import { FormError } from '../setup/public-card';
import { fromLocalInput, REMINDER_PRESETS, toLocalInput } from './event-time';

/** « 48 h », « 7 jours », « 30 min » for a reminder schedule. */
export function useReminderText() {
  const { t } = useTranslation();
  return (minutes: number) =>
    minutes % 1440 === 0 && minutes >= 7 * 1440
      ? t('events.reminderDays', { count: minutes / 1440 })
      : minutes % 60 === 0
        ? t('events.reminderHours', { count: minutes / 60 })
        : t('events.reminderMinutes', { count: minutes });
}

interface QuestionDraft {
  key: number;
  id?: string;
  label: string;
  required: boolean;
}

/** React keys of the question rows (a question has no id before it is saved). */
let nextQuestionKey = 0;
const draft = (q: Partial<EventQuestion>): QuestionDraft => ({
  key: nextQuestionKey++,
  id: q.id,
  label: q.label ?? '',
  required: q.required ?? false,
});

/**
 * Creating or editing an event (issue 17): its text, dates, places, waiting list, booking window,
 * promotion, reminders and its own questions. Every field is labelled; the API's French reasons
 * show under the form, read by screen readers.
 */
export function EventEditor({
  event,
  teams,
  onDone,
}: {
  event: MunicipalEventDto | null;
  teams: TeamDto[];
  onDone(saved: MunicipalEventDto | null): void;
}) {
  const { t } = useTranslation();
  const create = useCreateEvent();
  const update = useUpdateEvent();
  const mutation = event ? update : create;
  const reminderText = useReminderText();
  const [promotion, setPromotion] = useState<EventPromotion>(event?.promotion ?? 'automatic');
  const [questions, setQuestions] = useState<QuestionDraft[]>(() => (event?.questions ?? []).map(draft));
  const reminderChoices = [...new Set([...REMINDER_PRESETS, ...(event?.reminderMinutes ?? [])])].sort((a, b) => b - a);
  const title = useRef<HTMLInputElement>(null);
  useEffect(() => title.current?.focus(), []);
  const p = event ? `ev-${event.id.slice(0, 8)}` : 'ev-new';
  // An event of several sessions has their dates and places (changed session by session, SessionsPanel).
  const several = (event?.sessions.length ?? 0) > 1;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (mutation.isPending) return;
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    // An empty or unreadable number is sent as is: the API says why in French.
    const n = (k: string) => (s(k) === '' ? undefined : Number(s(k)));
    const input: Partial<CreateEventInput> = {
      title: s('title'),
      description: s('description'),
      place: s('place'),
      theme: s('theme'),
      audience: s('audience'),
      priceInfo: s('priceInfo'),
      ...(several
        ? {}
        : {
            startsAt: fromLocalInput(s('startsAt')) ?? '',
            endsAt: fromLocalInput(s('endsAt')),
            capacity: n('capacity'),
            waitlistCapacity: n('waitlistCapacity') ?? 0,
          }),
      maxPlacesPerRegistration: n('maxPlaces') ?? 1,
      bookingOpensAt: fromLocalInput(s('bookingOpensAt')),
      bookingClosesAt: fromLocalInput(s('bookingClosesAt')),
      // Empty: no lead time (cleared on an edit).
      bookingOpensDaysBefore: n('bookingOpensDaysBefore') ?? null,
      bookingClosesHoursBefore: n('bookingClosesHoursBefore') ?? null,
      promotion,
      confirmationHours: n('confirmationHours'),
      cancelCutoffHours: n('cancelCutoffHours'),
      reminderMinutes: f.getAll('reminders').map(Number),
      questions: questions
        .filter((q) => q.label.trim())
        .map((q) => ({ ...(q.id ? { id: q.id } : {}), label: q.label.trim(), required: q.required })),
    };
    if (event) {
      const notify = s('notify');
      update.mutate(
        { id: event.id, input: { ...input, ...(notify ? { notify } : {}) } },
        { onSuccess: (saved) => onDone(saved) },
      );
    } else {
      create.mutate(
        { ...input, teamId: s('teamId'), published: f.get('published') === 'on' },
        { onSuccess: (saved) => onDone(saved) },
      );
    }
  }

  const field = (name: string, label: string, extra: Record<string, unknown> = {}, hint?: string) => (
    <div className="field">
      <label className="field__label" htmlFor={`${p}-${name}`}>
        {label}
        {extra.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <p className="field__hint" id={`${p}-${name}-hint`}>
          {hint}
        </p>
      ) : null}
      <input
        id={`${p}-${name}`}
        className="field__input"
        name={name}
        aria-describedby={hint ? `${p}-${name}-hint` : undefined}
        {...extra}
      />
    </div>
  );

  return (
    <form
      className="admin-form admin-form--inline event-editor"
      noValidate
      onSubmit={onSubmit}
      aria-labelledby={`${p}-title`}
      aria-describedby={`${p}-error`}
      data-testid="event-editor"
    >
      <h2 id={`${p}-title`}>{event ? t('events.editTitle', { title: event.title }) : t('events.newTitle')}</h2>
      {event ? null : (
        <div className="field">
          <label className="field__label" htmlFor={`${p}-teamId`}>
            {t('events.team')}
          </label>
          <select id={`${p}-teamId`} className="field__input" name="teamId" defaultValue={teams[0]?.id}>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label className="field__label" htmlFor={`${p}-title-input`}>
          {t('events.fieldTitle')}
          <span aria-hidden="true"> *</span>
        </label>
        <input
          ref={title}
          id={`${p}-title-input`}
          className="field__input"
          name="title"
          required
          maxLength={EVENT_LIMITS.titleChars}
          defaultValue={event?.title}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${p}-description`}>
          {t('events.description')}
        </label>
        <textarea
          id={`${p}-description`}
          className="field__input"
          name="description"
          rows={4}
          maxLength={EVENT_LIMITS.descriptionChars}
          defaultValue={event?.description}
        />
      </div>
      {field('place', t('events.place'), { required: true, defaultValue: event?.place, maxLength: EVENT_LIMITS.placeChars })}
      <div className="form-row">
        {field('theme', t('events.theme'), { defaultValue: event?.theme })}
        {field('audience', t('events.audience'), { defaultValue: event?.audience })}
        {field('priceInfo', t('events.priceInfo'), { defaultValue: event?.priceInfo })}
      </div>
      <fieldset className="form-group">
        <legend>{t('events.dates')}</legend>
        {several ? (
          <p className="field__hint" data-testid="editor-sessions-hint">
            {t('eventSessions.editorHint')}
          </p>
        ) : (
          <div className="form-row">
            {field('startsAt', t('events.startsAt'), {
              type: 'datetime-local',
              required: true,
              defaultValue: toLocalInput(event?.startsAt),
            })}
            {field('endsAt', t('events.endsAt'), { type: 'datetime-local', defaultValue: toLocalInput(event?.endsAt) })}
          </div>
        )}
        <div className="form-row">
          {field(
            'bookingOpensAt',
            t('events.bookingOpensAt'),
            { type: 'datetime-local', defaultValue: toLocalInput(event?.bookingOpensAt) },
            t('events.bookingOpensHint'),
          )}
          {field(
            'bookingClosesAt',
            t('events.bookingClosesAt'),
            { type: 'datetime-local', defaultValue: toLocalInput(event?.bookingClosesAt) },
            t('events.bookingClosesHint'),
          )}
        </div>
        <div className="form-row">
          {field(
            'bookingOpensDaysBefore',
            t('events.bookingOpensDaysBefore'),
            {
              type: 'number',
              min: 1,
              max: EVENT_LIMITS.bookingOpensDaysMax,
              inputMode: 'numeric',
              defaultValue: event?.bookingOpensDaysBefore ?? '',
            },
            t('events.bookingOpensDaysHint'),
          )}
          {field(
            'bookingClosesHoursBefore',
            t('events.bookingClosesHoursBefore'),
            {
              type: 'number',
              min: 0,
              max: EVENT_LIMITS.bookingClosesHoursMax,
              inputMode: 'numeric',
              defaultValue: event?.bookingClosesHoursBefore ?? '',
            },
            t('events.bookingClosesHoursHint'),
          )}
        </div>
        {field(
          'cancelCutoffHours',
          t('events.cancelCutoffHours'),
          {
            type: 'number',
            min: 0,
            max: 720,
            inputMode: 'numeric',
            defaultValue: event?.cancelCutoffHours ?? DEFAULT_CANCEL_CUTOFF_HOURS,
          },
          t('events.cancelCutoffHint'),
        )}
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('events.placesLegend')}</legend>
        <div className="form-row">
          {several
            ? null
            : field('capacity', t('events.capacity'), {
                type: 'number',
                min: 1,
                inputMode: 'numeric',
                required: true,
                defaultValue: event?.capacity,
              })}
          {several
            ? null
            : field(
                'waitlistCapacity',
                t('events.waitlistCapacity'),
                { type: 'number', min: 0, inputMode: 'numeric', defaultValue: event?.waitlistCapacity ?? 0 },
                t('events.waitlistHint'),
              )}
          {field('maxPlaces', t('events.maxPlaces'), {
            type: 'number',
            min: 1,
            max: EVENT_LIMITS.placesPerRegistrationMax,
            inputMode: 'numeric',
            defaultValue: event?.maxPlacesPerRegistration ?? 1,
          })}
        </div>
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('events.promotion')}</legend>
        {EVENT_PROMOTIONS.map((value) => (
          <div className="field field--checkbox" key={value}>
            <input
              id={`${p}-promotion-${value}`}
              type="radio"
              name="promotion"
              value={value}
              checked={promotion === value}
              onChange={() => setPromotion(value)}
            />
            <label htmlFor={`${p}-promotion-${value}`}>{t(`events.promotions.${value}`)}</label>
          </div>
        ))}
        {field(
          'confirmationHours',
          t('events.confirmationHours'),
          { type: 'number', min: 1, max: 336, inputMode: 'numeric', defaultValue: event?.confirmationHours ?? 48 },
          t('events.confirmationHint'),
        )}
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('events.reminders')}</legend>
        <p className="field__hint">{t('events.remindersHint')}</p>
        <div className="form-row">
          {reminderChoices.map((minutes) => (
            <div className="field field--checkbox" key={minutes}>
              <input
                id={`${p}-reminder-${minutes}`}
                type="checkbox"
                name="reminders"
                value={minutes}
                defaultChecked={(event?.reminderMinutes ?? [2880, 120]).includes(minutes)}
              />
              <label htmlFor={`${p}-reminder-${minutes}`}>{t('events.reminderBefore', { delay: reminderText(minutes) })}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset className="form-group">
        <legend>{t('events.questions')}</legend>
        <p className="field__hint">{t('events.questionsHint')}</p>
        <ol className="event-questions">
          {questions.map((q, i) => (
            <li key={q.key} className="event-questions__item">
              <div className="field">
                <label className="field__label" htmlFor={`${p}-q-${q.key}`}>
                  {t('events.questionLabel', { n: i + 1 })}
                </label>
                <input
                  id={`${p}-q-${q.key}`}
                  className="field__input"
                  value={q.label}
                  maxLength={200}
                  onChange={(e) =>
                    setQuestions((list) => list.map((x) => (x.key === q.key ? { ...x, label: e.target.value } : x)))
                  }
                />
              </div>
              <div className="field field--checkbox">
                <input
                  id={`${p}-q-${q.key}-required`}
                  type="checkbox"
                  checked={q.required}
                  onChange={(e) =>
                    setQuestions((list) => list.map((x) => (x.key === q.key ? { ...x, required: e.target.checked } : x)))
                  }
                />
                <label htmlFor={`${p}-q-${q.key}-required`}>{t('events.questionRequired')}</label>
              </div>
              <button
                type="button"
                className="button button--secondary button--small"
                onClick={() => setQuestions((list) => list.filter((x) => x.key !== q.key))}
              >
                {t('events.questionRemove')}
                <span className="visually-hidden"> {t('events.questionLabel', { n: i + 1 })}</span>
              </button>
            </li>
          ))}
        </ol>
        {questions.length < EVENT_LIMITS.questionsMax ? (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => setQuestions((list) => [...list, draft({})])}
          >
            {t('events.questionAdd')}
          </button>
        ) : null}
      </fieldset>
      {event ? (
        <div className="field">
          <label className="field__label" htmlFor={`${p}-notify`}>
            {t('events.notify')}
          </label>
          <p className="field__hint" id={`${p}-notify-hint`}>
            {t('events.notifyHint')}
          </p>
          <textarea id={`${p}-notify`} className="field__input" name="notify" rows={3} aria-describedby={`${p}-notify-hint`} />
        </div>
      ) : (
        <div className="field field--checkbox">
          <input id={`${p}-published`} type="checkbox" name="published" />
          <label htmlFor={`${p}-published`}>{t('events.publishNow')}</label>
        </div>
      )}
      <FormError id={`${p}-error`} error={mutation.error ? apiErrorText(t, mutation.error) : null} />
      <EditorActions
        pending={mutation.isPending}
        onCancel={() => onDone(null)}
        submitLabel={event ? t('events.save') : t('events.create')}
        cancelLabel={t('events.close')}
      />
    </form>
  );
}
