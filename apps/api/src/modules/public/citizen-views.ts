import {
  CITIZEN_TEXT,
  type ConformityLevel,
  fillText,
  formatDateTime,
  formatLongDate,
  LIMITS,
  openingHoursLines,
  type OpeningHours,
  pluralText,
  type Language,
  type PublicOrganizationDto,
  type PublicRequestCreated,
  type PublicRequestDto,
} from '@guichet/contracts';
import { html, type SafeHtml } from '../../common/html';

/**
 * The citizen pages as HTML, rendered on the server: they work without JavaScript, and the small
 * script of the citizen entry (apps/web/src/citizen) only adds checks before sending and a refresh
 * of the tracking page. Every value is escaped by `html`.
 */

/** What a page needs to know about its request. */
export interface PageContext {
  lang: Language;
  /** The same page in another language (its query keeps the tracking token). */
  languageHref(lang: Language): string;
}

export interface CitizenView {
  title: string;
  /** The town hall's name in the header; null shows the brand. */
  organization: string | null;
  /** The town hall's logo beside its name, in place of the brand's mark. */
  logo?: string;
  /** The town hall's address on the citizen pages: the footer links its accessibility and personal-data pages. */
  slug?: string;
  /** Its RGAA conformity level, said in the footer's link (« non conforme » when unknown). */
  conformity?: ConformityLevel;
  main: SafeHtml;
}

/** The form's fields, as the request schema names them. */
export const REQUEST_FIELDS = ['teamId', 'requestTypeId', 'name', 'email', 'phone', 'subject', 'body'] as const;
export type RequestField = (typeof REQUEST_FIELDS)[number];

export interface RequestFormState {
  values: Partial<Record<RequestField, string>>;
  errors: Partial<Record<RequestField, string>>;
  /** Reasons that belong to no field (limit reached, form closed…). */
  messages: string[];
}

/** A path with `lang=en` added when the page is in English (French needs nothing). */
export function withLanguage(path: string, lang: Language): string {
  return lang === 'fr' ? path : `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

export function requestPath(slug: string): string {
  return `/demandes/${encodeURIComponent(slug)}`;
}

export function accessibilityPath(slug: string): string {
  return `/accessibilite/${encodeURIComponent(slug)}`;
}

export function privacyPath(slug: string): string {
  return `/donnees-personnelles/${encodeURIComponent(slug)}`;
}

export function trackingPath(reference: string, token: string): string {
  return `/suivi/${encodeURIComponent(reference)}?token=${encodeURIComponent(token)}`;
}

/** The page around `main`: skip link, header with the language choice, footer. */
export function pageBody(ctx: PageContext, view: CitizenView): SafeHtml {
  const text = CITIZEN_TEXT[ctx.lang];
  return html`<div class="public">
  <a class="skip-link" href="#public-main">${text.skipToContent}</a>
  <header class="public__header">
    <span class="brand">${view.logo ? html`<img class="brand__logo" src="${view.logo}" alt="" height="40">` : html`<span class="brand__mark" aria-hidden="true">G</span>`}<span class="brand__name">${view.organization ?? text.appName}</span></span>
    <div class="language-switch" role="group" aria-label="${text.language.label}">${(['fr', 'en'] as const).map(
      (lng) =>
        html`<a class="language-switch__option" href="${ctx.languageHref(lng)}" lang="${lng}" hreflang="${lng}"${lng === ctx.lang ? html` aria-current="true"` : ''}>${text.language[lng]}</a>`,
    )}</div>
  </header>
  <main id="public-main" class="public__main" tabindex="-1">
${view.main}
  </main>
  <footer class="public__footer">
    <p>${text.public.footer}</p>${
      view.slug
        ? html`
    <nav aria-label="${text.public.footerLinks}"><ul class="public__footer-links">
      <li><a href="${withLanguage(accessibilityPath(view.slug), ctx.lang)}">${text.public.footerAccessibility[view.conformity ?? 'none']}</a></li>
      <li><a href="${withLanguage(privacyPath(view.slug), ctx.lang)}">${text.public.footerPrivacy}</a></li>
    </ul></nav>`
        : ''
    }
  </footer>
</div>`;
}

/** The honeypot: a field hidden from people, that only robots fill. */
const honeypot = html`<div class="honeypot" aria-hidden="true">
      <label for="field-website">Site web</label>
      <input id="field-website" name="website" tabindex="-1" autocomplete="off">
    </div>`;

function invalid(error: string | undefined, id: string): SafeHtml {
  return error ? html` aria-invalid="true" aria-describedby="${id}"` : html``;
}

function fieldError(error: string | undefined, id: string): SafeHtml {
  return error ? html`<p class="form-error" id="${id}">${error}</p>` : html``;
}

/** The words of the citizen's name and contact fields (the request form's, an event's registration form's). */
export interface ContactFieldLabels {
  name: string;
  email: string;
  phone: string;
  contactLegend: string;
  errors: { name: string; contact: string };
}

/**
 * The name, then "an e-mail or a phone (one at least)" as a group: the same fields, ids and checks
 * (data-missing, read by the citizen script) on every public form.
 */
export function nameAndContactFields(
  l: ContactFieldLabels,
  values: Partial<Record<'name' | 'email' | 'phone', string>>,
  errors: Partial<Record<'name' | 'email' | 'phone', string>>,
): SafeHtml {
  return html`<div class="field">
      <label for="field-name">${l.name} *</label>
      <input id="field-name" name="name" autocomplete="name" required maxlength="${LIMITS.nameChars}" value="${values.name ?? ''}" data-missing="${l.errors.name}"${invalid(errors.name, 'err-name')}>
      ${fieldError(errors.name, 'err-name')}
    </div>
    <fieldset class="public-form__group" data-missing="${l.errors.contact}" data-error-for="email">
      <legend>${l.contactLegend}</legend>
      <div class="field">
        <label for="field-email">${l.email}</label>
        <input id="field-email" name="email" type="email" autocomplete="email" inputmode="email" maxlength="254" value="${values.email ?? ''}"${invalid(errors.email, 'err-email')}>
      </div>
      <div class="field">
        <label for="field-phone">${l.phone}</label>
        <input id="field-phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" maxlength="40" value="${values.phone ?? ''}"${invalid(errors.phone, 'err-phone')}>
        ${fieldError(errors.phone, 'err-phone')}
      </div>
      ${fieldError(errors.email, 'err-email')}
    </fieldset>`;
}

/** A service's opening hours, one line per run of days with the same hours. */
function hoursList(lang: Language, hours: OpeningHours, testId: string): SafeHtml {
  return html`<ul class="public-services__hours" data-testid="${testId}">${openingHoursLines(hours, lang).map((line) => html`<li>${line}</li>`)}</ul>`;
}

/**
 * Beneath the form: what each service does, how to reach it directly and when it opens (its own
 * hours, else the town's), as its admin wrote them (services with none of these are left out; no
 * section when none has any).
 */
function servicesSection(lang: Language, teams: PublicOrganizationDto['teams']) {
  const t = CITIZEN_TEXT[lang].public;
  const described = teams.filter((team) => team.description || Object.keys(team.contact).length || team.openingHours);
  if (!described.length) return '';
  const contactLines = ({ email, phone, address }: PublicOrganizationDto['teams'][number]['contact']) => [
    email && html`<li>${t.serviceEmail} : <a href="mailto:${email}">${email}</a></li>`,
    phone && html`<li>${t.servicePhone} : <a href="tel:${phone.replace(/[^\d+]/g, '')}">${phone}</a></li>`,
    address && html`<li>${t.serviceAddress} : ${address}</li>`,
  ];
  const item = (team: PublicOrganizationDto['teams'][number]) => html`<li>
        <h3 class="public-services__name">${team.name}</h3>
        ${team.description && html`<p>${team.description}</p>`}
        ${Object.keys(team.contact).length > 0 && html`<ul class="public-services__contact">${contactLines(team.contact)}</ul>`}
        ${team.openingHours && html`<p class="public-services__hours-title">${t.serviceHours}</p>${hoursList(lang, team.openingHours, 'service-hours')}`}
      </li>`;
  return html`<section class="public-services" aria-labelledby="services-title">
    <h2 class="public__subtitle" id="services-title">${t.servicesTitle}</h2>
    <ul class="public-services__list">${described.map(item)}</ul>
  </section>`;
}

/** `/demandes/:slug`: the request form, empty or sent back with its errors and what was typed. */
export function requestFormView(ctx: PageContext, org: PublicOrganizationDto, state: RequestFormState): CitizenView {
  const { lang } = ctx;
  const t = CITIZEN_TEXT[lang].public;
  const { values, errors, messages } = state;
  const listed = REQUEST_FIELDS.filter((f) => errors[f]);
  const hasErrors = listed.length > 0 || messages.length > 0;
  const value = (f: RequestField) => values[f] ?? '';
  const summary = html`<div id="form-errors" tabindex="-1"${hasErrors ? html` class="public-errors" role="alert" autofocus` : ''}>${
    listed.length
      ? html`<p class="public-errors__title">${pluralText(lang, listed.length, t.errors.summary_one, t.errors.summary_other)}</p>
      <ul>${listed.map((f) => html`<li><a href="#field-${f}">${errors[f]}</a></li>`)}</ul>`
      : ''
  }${messages.map((m) => html`<p>${m}</p>`)}</div>`;

  const main = html`<h1 class="public__title">${fillText(t.formTitle, { name: org.name })}</h1>
    <p class="public__intro">${t.formIntro}</p>
    ${summary}
    <form class="public-form" method="post" action="${withLanguage(requestPath(org.slug), lang)}" enctype="multipart/form-data" data-enhance="request" data-summary-one="${t.errors.summary_one}" data-summary-other="${t.errors.summary_other}">
    <p class="public__muted">${t.required}</p>
    <div class="field">
      <label for="field-teamId">${t.team} *</label>
      <select id="field-teamId" name="teamId" required data-missing="${t.errors.team}"${invalid(errors.teamId, 'err-teamId')}>
        <option value="">${t.chooseTeam}</option>
        ${org.teams.map((team) => html`<option value="${team.id}"${team.id === values.teamId ? html` selected` : ''}>${team.name}</option>`)}
      </select>
      ${fieldError(errors.teamId, 'err-teamId')}
    </div>
    <div class="field">
      <label for="field-requestTypeId">${t.requestType}</label>
      <p class="field__hint" id="hint-requestTypeId">${t.requestTypeHint}</p>
      <select id="field-requestTypeId" name="requestTypeId" aria-describedby="${errors.requestTypeId ? 'hint-requestTypeId err-requestTypeId' : 'hint-requestTypeId'}"${errors.requestTypeId ? html` aria-invalid="true"` : ''} data-filter-by="field-teamId">
        <option value="">${t.otherRequest}</option>
        ${org.teams.filter((team) => team.requestTypes.length).map((team) => html`<optgroup label="${team.name}" data-team="${team.id}">${team.requestTypes.map((rt) => html`<option value="${rt.id}"${rt.id === values.requestTypeId ? html` selected` : ''}>${rt.name}</option>`)}</optgroup>`)}
      </select>
      ${fieldError(errors.requestTypeId, 'err-requestTypeId')}
    </div>
    ${nameAndContactFields(t, values, errors)}
    <div class="field">
      <label for="field-subject">${t.subject} *</label>
      <input id="field-subject" name="subject" required maxlength="${LIMITS.subjectChars}" value="${value('subject')}" data-missing="${t.errors.subject}"${invalid(errors.subject, 'err-subject')}>
      ${fieldError(errors.subject, 'err-subject')}
    </div>
    <div class="field">
      <label for="field-body">${t.body} *</label>
      <textarea id="field-body" name="body" rows="7" required maxlength="${LIMITS.bodyChars}" data-missing="${t.errors.body}"${invalid(errors.body, 'err-body')}>
${value('body')}</textarea>
      ${fieldError(errors.body, 'err-body')}
    </div>
    <div class="field">
      <label for="field-attachments">${t.attachments}</label>
      <p class="field__hint" id="hint-attachments">${pluralText(lang, LIMITS.attachmentsPerRequest, t.attachmentsHint_one, t.attachmentsHint_other)}</p>
      <input id="field-attachments" name="attachments" type="file" multiple aria-describedby="hint-attachments" data-max-files="${LIMITS.attachmentsPerRequest}" data-max-bytes="${LIMITS.attachmentBytes}" data-too-many="${pluralText(lang, LIMITS.attachmentsPerRequest, t.errors.tooManyFiles_one, t.errors.tooManyFiles_other)}" data-too-big="${t.errors.fileTooBig}">
    </div>
    ${honeypot}
    <button type="submit" class="button button--primary button--block" data-sending="${t.sending}">${t.send}</button>
  </form>
  ${servicesSection(lang, org.teams)}`;
  return {
    title: fillText(t.formTitle, { name: org.name }),
    organization: org.name,
    logo: org.logo,
    slug: org.slug,
    conformity: org.conformity,
    main,
  };
}

/** The answer to a sent form: the reference and the personal tracking link. */
export function requestDoneView(ctx: PageContext, org: PublicOrganizationDto, created: PublicRequestCreated): CitizenView {
  const t = CITIZEN_TEXT[ctx.lang].public;
  const main = html`<section class="public-card public-card--success" aria-labelledby="request-done">
      <h1 class="public__title" id="request-done" tabindex="-1">${t.doneTitle}</h1>
      <p>${t.doneReference}</p>
      <p class="public__reference" data-testid="public-reference">${created.reference}</p>
      <p>${t.doneTracking}</p>
      <p><a class="button button--primary" href="${withLanguage(trackingPath(created.reference, created.trackingToken), ctx.lang)}" data-testid="tracking-link">${t.trackingLink}</a></p>
      <p class="public__muted">${t.doneKeep}</p>
      <h2 class="public__subtitle">${t.doneHowTitle}</h2>
      <ul data-testid="done-how">
        <li>${created.responseDueAt ? fillText(t.doneWhen, { date: formatDateTime(created.responseDueAt, ctx.lang) }) : t.doneWhenUnknown} ${t.doneAnswerOnPage}</li>${
          created.notify.email
            ? html`
        <li>${fillText(created.notify.full ? t.doneNotifyEmailFull : t.doneNotifyEmail, { email: created.notify.email })}</li>`
            : ''
        }${
          created.notify.sms
            ? html`
        <li>${fillText(t.doneNotifySms, { phone: created.notify.sms })}</li>`
            : ''
        }${
          !created.notify.email && !created.notify.sms
            ? html`
        <li>${t.doneNotifyNone}</li>`
            : ''
        }
      </ul>
    </section>`;
  return { title: t.doneTitle, organization: org.name, logo: org.logo, slug: org.slug, conformity: org.conformity, main };
}

export interface TrackingState {
  /** The reply form's action (the page itself, token included). */
  action: string;
  /** The tracking token: the files of the exchange open with it. */
  token: string;
  reply?: string;
  replyError?: string;
  /** The reply was just sent (the page after the redirect). */
  sent?: boolean;
}

/** `/suivi/:reference?token=…`: the request, its exchange, and the reply form. */
export function trackingView(ctx: PageContext, r: PublicRequestDto, state: TrackingState): CitizenView {
  const { lang } = ctx;
  const t = CITIZEN_TEXT[lang].public;
  const main = html`<h1 class="public__title">${r.subject?.trim() || t.noSubject}</h1>
    <dl class="public-facts" id="tracking-facts" data-live>
      <div><dt>${t.reference}</dt><dd class="public__reference">${r.reference}</dd></div>
      <div><dt>${t.status}</dt><dd><span class="status-pill status-${r.status}" data-testid="tracking-status">${t.statuses[r.status]}</span></dd></div>
      <div><dt>${t.team}</dt><dd>${r.service}</dd></div>
      <div><dt>${t.sentOn}</dt><dd>${formatDateTime(r.createdAt, lang)}</dd></div>${
        r.decision
          ? html`
      <div data-testid="tracking-decision"><dt>${t.decision[r.decision.regime]}</dt><dd>${formatLongDate(r.decision.dueAt, lang)}${
        r.decision.nonWorkingDay
          ? html`<span class="public-facts__note" data-testid="tracking-non-working-day">${t.nonWorkingDay[r.decision.nonWorkingDay]}</span>`
          : ''
      }</dd></div>`
          : ''
      }${
        r.serviceOpeningHours
          ? html`
      <div><dt>${t.serviceHours}</dt><dd>${hoursList(lang, r.serviceOpeningHours, 'tracking-hours')}</dd></div>`
          : ''
      }
    </dl>
    <h2 class="public__subtitle">${t.exchanges}</h2>
    <ol class="public-thread" id="tracking-thread" aria-live="polite" data-live>${r.messages.map(
      (m) => html`
      <li class="public-message public-message--${m.direction}" data-testid="public-message">
        <p class="public-message__meta"><strong>${m.direction === 'inbound' ? t.you : t.townHall}</strong> · ${formatDateTime(m.createdAt, lang)}</p>
        <p class="public-message__body">${m.body}</p>${
          m.attachments.length
            ? html`
        <ul class="public-message__files">${m.attachments.map((a) => html`<li><span aria-hidden="true">📎</span> <span class="visually-hidden">${t.attachment} :</span> <a href="/api/v1/public/requests/${r.reference}/attachments/${a.id}?token=${encodeURIComponent(state.token)}" download="${a.fileName}" data-testid="public-file">${a.fileName}</a></li>`)}</ul>`
            : ''
        }
      </li>`,
    )}
    </ol>
    ${
      r.survey
        ? html`<section class="public-card survey-invite" aria-labelledby="survey-invite-title">
      <h2 class="public__subtitle" id="survey-invite-title">${CITIZEN_TEXT[lang].survey.trackingTitle}</h2>
      <p>${CITIZEN_TEXT[lang].survey.trackingText}</p>
      <a class="button button--primary" href="${r.survey.url}" data-testid="survey-link">${CITIZEN_TEXT[lang].survey.trackingLink}</a>
    </section>`
        : ''
    }
    ${
      r.organizationClosed
        ? html`<section class="notice" aria-labelledby="tracking-archived-title" data-testid="tracking-archived">
      <h2 class="public__subtitle" id="tracking-archived-title">${t.closedTitle}</h2>
      <p>${t.trackingArchived}</p>
    </section>`
        : r.limited
          ? html`<section class="notice" aria-labelledby="tracking-limited-title" data-testid="tracking-limited">
      <h2 class="public__subtitle" id="tracking-limited-title">${t.trackingLimitedTitle}</h2>
      <p>${t.trackingLimited}</p>${
        r.organizationSlug
          ? html`
      <p><a class="button button--primary" href="${withLanguage(requestPath(r.organizationSlug), lang)}" data-testid="tracking-limited-form">${t.trackingLimitedForm}</a></p>`
          : ''
      }
    </section>`
          : r.status === 'closed'
            ? html`<p class="notice">${t.closed}</p>`
            : html`<form class="public-form" method="post" action="${state.action}" enctype="multipart/form-data" data-enhance="reply">
      <div class="field">
        <label for="tracking-reply">${t.replyLabel}</label>
        <textarea id="tracking-reply" name="body" rows="5" required maxlength="${LIMITS.bodyChars}" data-missing="${t.errors.body}"${invalid(state.replyError, 'tracking-error')}>
${state.reply ?? ''}</textarea>
        ${state.replyError ? html`<p class="form-error" id="tracking-error" role="alert">${state.replyError}</p>` : ''}
      </div>
      <div class="field">
        <label for="tracking-attachments">${t.attachments}</label>
        <p class="field__hint" id="hint-tracking-attachments">${pluralText(lang, LIMITS.attachmentsPerRequest, t.attachmentsHint_one, t.attachmentsHint_other)}</p>
        <input id="tracking-attachments" name="attachments" type="file" multiple aria-describedby="hint-tracking-attachments" data-max-files="${LIMITS.attachmentsPerRequest}" data-max-bytes="${LIMITS.attachmentBytes}" data-too-many="${pluralText(lang, LIMITS.attachmentsPerRequest, t.errors.tooManyFiles_one, t.errors.tooManyFiles_other)}" data-too-big="${t.errors.fileTooBig}">
      </div>
      ${honeypot}
      <button type="submit" class="button button--primary button--block" data-sending="${t.sending}">${t.sendReply}</button>
      ${state.sent ? html`<p class="notice" id="reply-sent" role="status">${t.replySent}</p>` : ''}
    </form>`
    }`;
  return {
    title: fillText(t.trackingTitle, { reference: r.reference }),
    organization: r.organization || null,
    logo: r.organizationLogo,
    slug: r.organizationSlug,
    conformity: r.organizationConformity,
    main,
  };
}

/** The page of an archived town: its online services are closed (410), how to reach it instead. */
export function closedView(ctx: PageContext): CitizenView {
  return messageView(ctx, CITIZEN_TEXT[ctx.lang].public.closedTitle, CITIZEN_TEXT[ctx.lang].public.orgClosed);
}

/** A page that says what is missing, in the citizen's words. */
export function messageView(ctx: PageContext, title: string, message: string): CitizenView {
  return {
    title,
    organization: null,
    main: html`<h1 class="public__title">${title}</h1>
    <p>${message}</p>`,
  };
}
