import { CITIZEN_TEXT, fillText, formatDateTime } from '@guichet/contracts';
import { html } from '../../common/html';
import type { CitizenView, PageContext } from '../public/citizen-views';
import { footerConformity } from '../public/conformity-columns';
import type { SurveyPageRow } from './satisfaction.repository';

export interface SurveyFormState {
  action: string;
  score?: string;
  comment?: string;
  error?: string;
}

const SCORES = Array.from({ length: 11 }, (_, i) => i);

/** The survey: the Services Publics+ question as eleven choices 0–10, an optional comment, one button. */
export function surveyFormView(ctx: PageContext, s: SurveyPageRow, question: string, state: SurveyFormState): CitizenView {
  const t = CITIZEN_TEXT[ctx.lang].survey;
  const error = state.error
    ? html`<div class="public-errors" id="survey-error" role="alert" tabindex="-1" autofocus><p class="public-errors__title">${t.errorsTitle}</p><p>${state.error}</p></div>`
    : '';
  const main = html`<h1 class="public__title">${fillText(t.title, { reference: s.reference })}</h1>
    <p class="public__intro">${fillText(t.intro, { reference: s.reference, service: s.team_name })}</p>
    ${error}
    <form class="public-form" method="post" action="${state.action}">
      <fieldset class="public-form__group survey-scale" aria-describedby="survey-scale-hint"${state.error ? html` aria-invalid="true"` : ''}>
        <legend>${question}</legend>
        <p class="field__hint" id="survey-scale-hint">${t.scaleHint}</p>
        <div class="survey-scale__choices">${SCORES.map(
          (n) =>
            html`<label class="survey-scale__choice"><input type="radio" name="score" value="${String(n)}" required${state.score === String(n) ? html` checked` : ''}><span aria-hidden="true">${String(n)}</span><span class="visually-hidden">${fillText(t.score, { score: n })}</span></label>`,
        )}</div>
      </fieldset>
      <div class="field">
        <label for="survey-comment">${t.commentLabel}</label>
        <p class="field__hint" id="survey-comment-hint">${t.commentHint}</p>
        <textarea id="survey-comment" name="comment" rows="4" maxlength="2000" aria-describedby="survey-comment-hint">${state.comment ?? ''}</textarea>
      </div>
      <button type="submit" class="button button--primary button--block">${t.send}</button>
    </form>`;
  return {
    title: fillText(t.title, { reference: s.reference }),
    organization: s.organization_name,
    slug: s.organization_slug,
    conformity: footerConformity(s),
    main,
  };
}

/** After the answer (or when it was given before): thanks, and the score given. */
export function surveyDoneView(ctx: PageContext, s: SurveyPageRow, justNow: boolean): CitizenView {
  const t = CITIZEN_TEXT[ctx.lang].survey;
  const main = html`<h1 class="public__title">${fillText(t.title, { reference: s.reference })}</h1>
    <div class="public-card public-card--success" role="status" data-testid="survey-done">
      <p>${justNow ? t.thanks : t.alreadyAnswered}</p>
      ${s.score !== null ? html`<p>${fillText(t.thanksScore, { score: s.score })}</p>` : ''}
      ${s.answered_at ? html`<p class="public__muted">${formatDateTime(s.answered_at.toISOString(), ctx.lang)}</p>` : ''}
    </div>`;
  return {
    title: fillText(t.title, { reference: s.reference }),
    organization: s.organization_name,
    slug: s.organization_slug,
    conformity: footerConformity(s),
    main,
  };
}
