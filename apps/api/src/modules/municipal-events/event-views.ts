import {
  CITIZEN_TEXT,
  type ConformityLevel,
  EVENT_LIMITS,
  EVENT_TEXT,
  eventWhen,
  fillText,
  formatDateTime,
  pluralText,
  type PublicEventDto,
  type PublicRegistrationDto,
  type PublicSessionDto,
} from '@guichet/contracts';
import { html, type SafeHtml } from '../../common/html';
import { nameAndContactFields, withLanguage, type CitizenView, type PageContext } from '../public/citizen-views';

/**
 * The citizen event pages (issue 17), rendered on the server like the request form: the list of a
 * town's upcoming events, an event with its registration form, and the registration behind the
 * signed link of the confirmation (view, cancel, confirm an offered place). They work without
 * JavaScript; the citizen script checks the form before sending (data-enhance="request").
 */

export function eventsPath(slug: string): string {
  return `/evenements/${encodeURIComponent(slug)}`;
}

export function eventPath(slug: string, eventId: string): string {
  return `${eventsPath(slug)}/${encodeURIComponent(eventId)}`;
}

/** The signed link of the confirmation message (RegistrationService.manageUrl writes the same). */
export function registrationPath(slug: string, id: string, token: string, action?: 'annuler' | 'confirmer'): string {
  return `${eventsPath(slug)}/inscription/${encodeURIComponent(id)}${action ? `/${action}` : ''}?token=${encodeURIComponent(token)}`;
}

export interface EventListFilters {
  teamId?: string;
  theme?: string;
  from?: string;
  to?: string;
}

export interface EventList {
  organization: string;
  /** The town's RGAA level, said in the footer. */
  conformity: ConformityLevel;
  themes: string[];
  services: { id: string; name: string }[];
  events: PublicEventDto[];
}

/** « 3 places restantes sur 40 », « Complet – liste d'attente », « Complet », or why registering is closed (an event, a session). */
export function availability(
  ctx: PageContext,
  e: Pick<PublicEventDto, 'cancelled' | 'availablePlaces' | 'capacity' | 'open' | 'waitlistAvailable'>,
): { text: string; tone: 'open' | 'wait' | 'full' } {
  const t = EVENT_TEXT[ctx.lang];
  if (e.cancelled) return { text: t.cancelled, tone: 'full' };
  if (e.availablePlaces > 0) {
    const left = pluralText(ctx.lang, e.availablePlaces, t.placesLeft_one, t.placesLeft_other);
    return { text: fillText(left, { n: e.availablePlaces, capacity: e.capacity }), tone: e.open ? 'open' : 'full' };
  }
  if (e.waitlistAvailable > 0) return { text: t.waitlistOpen, tone: 'wait' };
  return { text: t.full, tone: 'full' };
}

function availabilityBadge(ctx: PageContext, e: Parameters<typeof availability>[1]): SafeHtml {
  const a = availability(ctx, e);
  return html`<span class="event-places event-places--${a.tone}" data-testid="event-places">${a.text}</span>`;
}

/** `/evenements/:slug`: the upcoming published events, filtered by service, theme and dates. */
export function eventListView(ctx: PageContext, slug: string, list: EventList, f: EventListFilters, error?: string): CitizenView {
  const { lang } = ctx;
  const t = EVENT_TEXT[lang];
  const title = fillText(t.listTitle, { name: list.organization });
  const action = eventsPath(slug);
  const main = html`<h1 class="public__title">${title}</h1>
    <p class="public__intro">${t.listIntro}</p>
    <form class="public-form event-filters" method="get" action="${action}" role="search" aria-label="${t.filters}">
      ${lang === 'fr' ? '' : html`<input type="hidden" name="lang" value="${lang}">`}
      <div class="event-filters__row">
        <div class="field">
          <label for="filter-team">${t.service}</label>
          <select id="filter-team" name="teamId">
            <option value="">${t.allServices}</option>
            ${list.services.map((s) => html`<option value="${s.id}"${s.id === f.teamId ? html` selected` : ''}>${s.name}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="filter-theme">${t.theme}</label>
          <select id="filter-theme" name="theme">
            <option value="">${t.allThemes}</option>
            ${list.themes.map((th) => html`<option value="${th}"${th.toLowerCase() === f.theme?.toLowerCase() ? html` selected` : ''}>${th}</option>`)}
          </select>
        </div>
        <div class="field">
          <label for="filter-from">${t.from}</label>
          <input id="filter-from" name="from" type="date" value="${f.from ?? ''}">
        </div>
        <div class="field">
          <label for="filter-to">${t.to}</label>
          <input id="filter-to" name="to" type="date" value="${f.to ?? ''}">
        </div>
      </div>
      <button type="submit" class="button button--secondary">${t.filter}</button>
    </form>
    ${error ? html`<div class="public-errors" role="alert"><p>${error}</p></div>` : ''}
    <p class="public__muted" role="status" data-testid="event-count">${fillText(pluralText(lang, list.events.length, t.count_one, t.count_other), { count: list.events.length })}</p>
    ${
      list.events.length
        ? html`<ul class="event-list" data-testid="event-list">${list.events.map(
            (e) => html`
      <li class="public-card event-card" data-testid="event-card">
        <h2 class="event-card__title"><a href="${withLanguage(eventPath(slug, e.id), lang)}">${e.title}</a></h2>
        <p class="event-card__service">${e.service.name}${e.theme ? html` · ${e.theme}` : ''}</p>
        <dl class="event-card__facts">
          <div><dt>${t.when}</dt><dd>${eventWhen(e.startsAt, e.sessions.length > 1 ? null : e.endsAt, lang)}${
            e.sessions.length > 1 ? html` · ${fillText(t.sessionsCount, { count: e.sessions.length })}` : ''
          }</dd></div>
          <div><dt>${t.where}</dt><dd>${e.place}</dd></div>
          <div><dt>${t.placesLeft}</dt><dd>${availabilityBadge(ctx, e)}</dd></div>
        </dl>
      </li>`,
          )}
    </ul>`
        : html`<p class="notice" data-testid="event-none">${t.none}</p>`
    }`;
  return { title, organization: list.organization, slug, conformity: list.conformity, main };
}

/** The registration form's fields, as the API's schema names them (answers are `answer-<id>`). */
export const REGISTRATION_FIELDS = ['name', 'email', 'phone', 'places'] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];

export interface RegistrationFormState {
  values: Partial<Record<RegistrationField, string>> & {
    consentReminders?: boolean;
    answers?: Record<string, string>;
    sessionId?: string;
    channel?: string;
  };
  /** By field name, `answer-<id>` for the event's questions. */
  errors: Record<string, string>;
  messages: string[];
}

function invalid(error: string | undefined, id: string, hint?: string): SafeHtml {
  if (error) return html` aria-invalid="true" aria-describedby="${hint ? `${hint} ${id}` : id}"`;
  return hint ? html` aria-describedby="${hint}"` : html``;
}

function fieldError(error: string | undefined, id: string): SafeHtml {
  return error ? html`<p class="form-error" id="${id}">${error}</p>` : html``;
}

function eventFacts(ctx: PageContext, e: PublicEventDto): SafeHtml {
  const t = EVENT_TEXT[ctx.lang];
  const several = e.sessions.length > 1;
  return html`<dl class="public-facts event-facts">
      ${several ? '' : html`<div><dt>${t.when}</dt><dd data-testid="event-when">${eventWhen(e.startsAt, e.endsAt, ctx.lang)}</dd></div>`}
      <div><dt>${t.where}</dt><dd>${e.place}</dd></div>
      <div><dt>${t.service_}</dt><dd>${e.service.name}</dd></div>
      ${e.audience ? html`<div><dt>${t.audience}</dt><dd>${e.audience}</dd></div>` : ''}
      ${e.priceInfo ? html`<div><dt>${t.price}</dt><dd>${e.priceInfo}</dd></div>` : ''}
      ${several ? '' : html`<div><dt>${t.placesLeft}</dt><dd>${availabilityBadge(ctx, e)}</dd></div>`}
    </dl>
    ${several ? sessionList(ctx, e.sessions) : ''}`;
}

/** The sessions of an event of several, each with its date and places left. */
function sessionList(ctx: PageContext, sessions: PublicSessionDto[]): SafeHtml {
  const t = EVENT_TEXT[ctx.lang];
  return html`<section aria-labelledby="sessions-title">
    <h2 class="public__subtitle" id="sessions-title">${t.sessionsTitle}</h2>
    <ul class="event-sessions" data-testid="event-sessions">${sessions.map(
      (s) => html`<li class="event-session" data-testid="event-session">
        <span class="event-session__when">${eventWhen(s.startsAt, s.endsAt, ctx.lang)}</span>
        ${availabilityBadge(ctx, s)}
      </li>`,
    )}</ul>
  </section>`;
}

/** The choice of a session in the form (an event of several): those not taking registrations are shown, disabled. */
function sessionChoice(
  ctx: PageContext,
  sessions: PublicSessionDto[],
  chosen: string | undefined,
  error: string | undefined,
): SafeHtml {
  const t = EVENT_TEXT[ctx.lang];
  const takes = (s: PublicSessionDto) => s.open && (s.availablePlaces > 0 || s.waitlistAvailable > 0);
  return html`<fieldset class="public-form__group event-session-choice" id="field-sessionId" tabindex="-1" aria-describedby="hint-sessionId${error ? ' err-sessionId' : ''}">
    <legend>${t.sessionLegend} *</legend>
    <p class="field__hint" id="hint-sessionId">${t.sessionHint}</p>
    ${sessions.map((s, i) => {
      const a = availability(ctx, s);
      const id = `session-${i + 1}`;
      return html`<div class="field field--check">
        <input type="radio" id="${id}" name="sessionId" value="${s.id}" required${s.id === chosen ? html` checked` : ''}${takes(s) ? '' : html` disabled`}>
        <label for="${id}">${eventWhen(s.startsAt, s.endsAt, ctx.lang)} — ${s.open ? a.text : t.sessionClosed}</label>
      </div>`;
    })}
    ${fieldError(error, 'err-sessionId')}
  </fieldset>`;
}

/**
 * How to be told when both an e-mail address and a phone number are given (RegistrationChannel):
 * nothing chosen by default (e-mail first), so a citizen who gives one of them has nothing to do.
 */
function channelChoice(ctx: PageContext, chosen: string | undefined, error: string | undefined): SafeHtml {
  const t = EVENT_TEXT[ctx.lang];
  const option = (value: 'email' | 'sms', label: string) => html`<div class="field field--check">
        <input type="radio" id="field-channel-${value}" name="channel" value="${value}"${chosen === value ? html` checked` : ''}>
        <label for="field-channel-${value}">${label}</label>
      </div>`;
  return html`<fieldset class="public-form__group event-channel-choice" id="field-channel" tabindex="-1" aria-describedby="hint-channel${error ? ' err-channel' : ''}">
    <legend>${t.channelLegend}</legend>
    <p class="field__hint" id="hint-channel">${t.channelHint}</p>
    ${option('email', t.channelEmail)}
    ${option('sms', t.channelSms)}
    ${fieldError(error, 'err-channel')}
  </fieldset>`;
}

/** Why the form is not offered: cancelled, not open yet, closed, or full with no waiting list. */
function closedReason(ctx: PageContext, e: PublicEventDto, now: Date): string | null {
  const t = EVENT_TEXT[ctx.lang];
  if (e.cancelled) return t.eventCancelled;
  if (e.bookingOpensAt && Date.parse(e.bookingOpensAt) > now.getTime())
    return fillText(t.opensOn, { date: formatDateTime(e.bookingOpensAt, ctx.lang) });
  if (e.bookingClosesAt && Date.parse(e.bookingClosesAt) <= now.getTime())
    return fillText(t.closedSince, { date: formatDateTime(e.bookingClosesAt, ctx.lang) });
  if (!e.open) return t.closed;
  if (e.availablePlaces === 0 && e.waitlistAvailable === 0) return t.full;
  return null;
}

/** `/evenements/:slug/:id`: the event, and its registration form while registrations are taken. */
export function eventPageView(
  ctx: PageContext,
  slug: string,
  town: { name: string; conformity: ConformityLevel },
  e: PublicEventDto,
  state: RegistrationFormState,
  now = new Date(),
): CitizenView {
  const { lang } = ctx;
  const t = EVENT_TEXT[lang];
  const { values, errors, messages } = state;
  const listed = Object.keys(errors);
  const hasErrors = listed.length > 0 || messages.length > 0;
  const closed = closedReason(ctx, e, now);
  const maxPlaces = Math.min(e.maxPlacesPerRegistration, EVENT_LIMITS.placesPerRegistrationMax);
  const fieldId = (f: string) => `field-${f}`;
  const summary = html`<div id="form-errors" tabindex="-1"${hasErrors ? html` class="public-errors" role="alert" autofocus` : ''}>${
    hasErrors ? html`<p class="public-errors__title">${t.errorsTitle}</p>` : ''
  }${listed.length ? html`<ul>${listed.map((f) => html`<li><a href="#${fieldId(f)}">${errors[f]}</a></li>`)}</ul>` : ''}${messages.map(
    (m) => html`<p data-testid="registration-refused">${m}</p>`,
  )}</div>`;

  const form = closed
    ? html`<p class="notice notice--warning" data-testid="registration-closed">${closed}</p>`
    : html`<section aria-labelledby="registration-title">
    <h2 class="public__subtitle" id="registration-title">${t.formTitle}</h2>
    ${e.availablePlaces === 0 && e.sessions.length <= 1 ? html`<p class="notice" data-testid="waitlist-notice">${t.fullWaitlistNotice}</p>` : ''}
    ${e.bookingClosesAt ? html`<p class="public__muted" data-testid="booking-closes">${fillText(t.closesOn, { date: formatDateTime(e.bookingClosesAt, lang) })}</p>` : ''}
    <p class="public__muted" data-testid="cancel-policy">${e.cancelCutoffHours ? fillText(t.cancelPolicy, { hours: e.cancelCutoffHours }) : t.cancelPolicyStart}</p>
    ${summary}
    <form class="public-form" method="post" action="${withLanguage(eventPath(slug, e.id), lang)}" data-enhance="request" data-summary-one="${t.summary_one}" data-summary-other="${t.summary_other}">
      <p class="public__muted">${t.required}</p>
      ${e.sessions.length > 1 ? sessionChoice(ctx, e.sessions, values.sessionId, errors.sessionId) : ''}
      ${nameAndContactFields(t, values, errors)}
      ${channelChoice(ctx, values.channel, errors.channel)}
      <div class="field">
        <label for="field-places">${t.places} *</label>
        <p class="field__hint" id="hint-places">${fillText(t.placesHint, { max: maxPlaces })}</p>
        <input id="field-places" name="places" type="number" inputmode="numeric" min="1" max="${maxPlaces}" step="1" required value="${values.places ?? '1'}" data-missing="${fillText(t.errors.places, { max: maxPlaces })}"${invalid(errors.places, 'err-places', 'hint-places')}>
        ${fieldError(errors.places, 'err-places')}
      </div>
      ${
        e.questions.length
          ? html`<fieldset class="public-form__group">
        <legend>${t.questionsLegend}</legend>
        ${e.questions.map((q) => {
          const key = `answer-${q.id}`;
          return html`<div class="field">
          <label for="field-${key}">${q.label}${q.required ? ' *' : ''}</label>
          <input id="field-${key}" name="${key}" maxlength="${EVENT_LIMITS.answerChars}"${q.required ? html` required data-missing="${fillText(t.errors.answer, { label: q.label })}"` : ''} value="${values.answers?.[q.id] ?? ''}"${invalid(errors[key], `err-${key}`)}>
          ${fieldError(errors[key], `err-${key}`)}
        </div>`;
        })}
      </fieldset>`
          : ''
      }
      <div class="field field--check">
        <input id="field-consentReminders" name="consentReminders" type="checkbox" value="on" aria-describedby="hint-consent"${values.consentReminders ? html` checked` : ''}>
        <label for="field-consentReminders">${t.consent}</label>
        <p class="field__hint" id="hint-consent">${t.consentHint}</p>
      </div>
      <div class="honeypot" aria-hidden="true">
        <label for="field-website">Site web</label>
        <input id="field-website" name="website" tabindex="-1" autocomplete="off">
      </div>
      <button type="submit" class="button button--primary button--block" data-sending="${t.sending}">${t.submit}</button>
    </form>
  </section>`;

  const main = html`<p><a href="${withLanguage(eventsPath(slug), lang)}">← ${t.back}</a></p>
    <h1 class="public__title">${e.title}</h1>
    ${e.cancelled ? html`<p class="notice notice--warning">${t.eventCancelled}</p>` : ''}
    ${eventFacts(ctx, e)}
    ${e.description ? html`<h2 class="public__subtitle">${t.description}</h2><p class="event-description">${e.description}</p>` : ''}
    ${form}`;
  return { title: e.title, organization: town.name, slug, conformity: town.conformity, main };
}

export interface RegistrationPageState {
  token: string;
  /** Just registered (the page after the form's redirect). */
  created?: boolean;
  /** What just happened through the page's buttons. */
  done?: 'cancelled' | 'confirmed';
  /** The cancel button was pressed once: the page asks to confirm. */
  askCancel?: boolean;
  error?: string;
}

/** `/evenements/:slug/inscription/:id?token=…`: the registration, with cancel and confirm. */
export function registrationPageView(
  ctx: PageContext,
  slug: string,
  town: { name: string; conformity: ConformityLevel },
  r: PublicRegistrationDto,
  state: RegistrationPageState,
): CitizenView {
  const { lang } = ctx;
  const t = EVENT_TEXT[lang];
  const e = r.event;
  const path = (action?: 'annuler' | 'confirmer') => withLanguage(registrationPath(slug, r.id, state.token, action), lang);
  const headline = state.created
    ? html`<div class="public-card public-card--success" role="status" data-testid="registration-created">
      <h2 class="public__subtitle">${r.status === 'waitlisted' ? t.doneWaitlisted : t.doneConfirmed}</h2>
      ${r.status === 'waitlisted' && r.position ? html`<p data-testid="waitlist-position">${fillText(t.position, { n: r.position })}</p>` : ''}
      <p>${t.keepLink}</p>
    </div>`
    : state.done
      ? html`<p class="notice" role="status" data-testid="registration-done">${state.done === 'cancelled' ? t.cancelledNotice : t.confirmedNotice}</p>`
      : '';
  const error = state.error
    ? html`<div class="public-errors" role="alert" tabindex="-1" autofocus data-testid="registration-error"><p>${state.error}</p></div>`
    : '';
  const offer =
    r.status === 'offered'
      ? html`<section class="public-card" aria-labelledby="offer-title">
      <h2 class="public__subtitle" id="offer-title">${t.status.offered}</h2>
      ${r.offerExpiresAt ? html`<p>${fillText(t.promotedHint, { date: formatDateTime(r.offerExpiresAt, lang) })}</p>` : ''}
      <form method="post" action="${path('confirmer')}">
        <button type="submit" class="button button--primary button--block" data-testid="confirm-place">${t.confirmPlace}</button>
      </form>
    </section>`
      : '';
  const cancel = r.cancellable
    ? state.askCancel
      ? html`<section class="public-card" aria-labelledby="cancel-title">
      <h2 class="public__subtitle" id="cancel-title" tabindex="-1" autofocus>${t.cancel}</h2>
      <p>${t.cancelAsk}</p>
      <form method="post" action="${path('annuler')}">
        <input type="hidden" name="confirm" value="1">
        <button type="submit" class="button button--danger button--block" data-testid="cancel-confirm">${t.cancelConfirm}</button>
      </form>
      <p><a href="${path()}">${t.keep}</a></p>
    </section>`
      : html`<form method="post" action="${path('annuler')}" class="registration-cancel">
      ${r.cancelUntil ? html`<p class="public__muted">${fillText(t.cancelUntil, { date: formatDateTime(r.cancelUntil, lang) })} ${t.cancelHint}</p>` : ''}
      <button type="submit" class="button button--secondary button--block" data-testid="cancel-registration">${t.cancel}</button>
    </form>`
    : r.cancelUntil && !['cancelled', 'expired'].includes(r.status)
      ? html`<p class="notice" data-testid="cancel-closed">${fillText(t.cancelClosed, { service: e.service.name })}</p>`
      : '';
  const main = html`<h1 class="public__title">${t.registrationTitle}</h1>
    ${headline}
    ${error}
    <dl class="public-facts">
      <div><dt>${t.event}</dt><dd><a href="${withLanguage(eventPath(slug, e.id), lang)}">${e.title}</a></dd></div>
      <div><dt>${t.when}</dt><dd>${eventWhen(e.startsAt, e.endsAt, lang)}</dd></div>
      <div><dt>${t.where}</dt><dd>${e.place}</dd></div>
      <div><dt>${t.name}</dt><dd>${r.name}</dd></div>
      <div><dt>${t.placesBooked}</dt><dd>${String(r.places)}</dd></div>
      <div><dt>${CITIZEN_TEXT[lang].public.status}</dt><dd><span class="status-pill event-status event-status--${r.status}" data-testid="registration-status">${r.status === 'cancelled' && r.cancelledBy === 'event' ? t.cancelledByTown : t.status[r.status]}</span></dd></div>
      ${r.status === 'waitlisted' && r.position ? html`<div><dt>${t.waitPosition}</dt><dd data-testid="registration-position">${String(r.position)}</dd></div>` : ''}
    </dl>
    ${e.cancelled ? html`<p class="notice notice--warning" data-testid="registration-event-cancelled">${r.sessionCancelled ? t.sessionCancelled : t.eventCancelled}</p>` : ''}
    ${r.status === 'expired' ? html`<p class="notice">${t.offerLapsed}</p>` : ''}
    ${offer}
    ${cancel}`;
  return { title: t.registrationTitle, organization: town.name, slug, conformity: town.conformity, main };
}
