import type { PublicRequestCreated } from '@guichet/contracts';
import { LIMITS } from '@guichet/contracts';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { useCreatePublicRequest, usePublicOrganization } from '../../hooks/use-public';
import { PublicLayout } from './public-layout';

type Field = 'teamId' | 'name' | 'email' | 'subject' | 'body' | 'attachments';

export function trackingPath(created: PublicRequestCreated): string {
  return `/suivi/${encodeURIComponent(created.reference)}?token=${encodeURIComponent(created.trackingToken)}`;
}

/** `/demandes/:slug`: a citizen writes to the town hall, without an account. */
export function RequestPage({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const org = usePublicOrganization(slug);
  const create = useCreatePublicRequest(slug);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = org.data ? t('public.requestTitle', { name: org.data.name }) : t('app.name');
  }, [org.data, t]);
  useEffect(() => {
    if (create.data) doneRef.current?.focus();
  }, [create.data]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const form = new FormData(event.currentTarget);
    const get = (k: string) => String(form.get(k) ?? '').trim();
    const next: Partial<Record<Field, string>> = {};
    if (!get('teamId')) next.teamId = t('public.errors.team');
    if (!get('name')) next.name = t('public.errors.name');
    if (!get('email') && !get('phone')) next.email = t('public.errors.contact');
    if (!get('subject')) next.subject = t('public.errors.subject');
    if (!get('body')) next.body = t('public.errors.body');
    const files = form.getAll('attachments').filter((f): f is File => f instanceof File && f.size > 0);
    if (files.length > LIMITS.attachmentsPerRequest) next.attachments = t('public.errors.tooManyFiles', { count: LIMITS.attachmentsPerRequest });
    else if (files.some((f) => f.size > LIMITS.attachmentBytes)) next.attachments = t('public.errors.fileTooBig');
    setErrors(next);
    if (Object.keys(next).length > 0) {
      setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    form.delete('attachments');
    for (const file of files) form.append('attachments', file);
    create.mutate(form, { onError: () => setTimeout(() => summaryRef.current?.focus(), 0) });
  }

  if (org.isPending) {
    return (
      <PublicLayout organization={null}>
        <p role="status">{t('app.loading')}</p>
      </PublicLayout>
    );
  }
  if (org.isError) {
    return (
      <PublicLayout organization={null}>
        <h1 className="public__title">{t('public.notFoundTitle')}</h1>
        <p>{hasStatus(org.error, 404) ? t('public.orgNotFound') : t('errors.network')}</p>
      </PublicLayout>
    );
  }

  if (create.data) {
    const path = trackingPath(create.data);
    return (
      <PublicLayout organization={org.data.name}>
        <section className="public-card public-card--success" aria-labelledby="request-done">
          <h1 className="public__title" id="request-done" tabIndex={-1} ref={doneRef}>
            {t('public.doneTitle')}
          </h1>
          <p>{t('public.doneReference')}</p>
          <p className="public__reference" data-testid="public-reference">
            {create.data.reference}
          </p>
          <p>{t('public.doneTracking')}</p>
          <p>
            <a className="button button--primary" href={path} data-testid="tracking-link">
              {t('public.trackingLink')}
            </a>
          </p>
          <p className="public__muted">{t('public.doneKeep')}</p>
        </section>
      </PublicLayout>
    );
  }

  const errorList = Object.entries(errors) as [Field, string][];
  const serverError = create.error ? (create.error.isNetworkError ? t('errors.network') : hasStatus(create.error, 429) ? t('public.errors.tooMany') : create.error.message) : null;
  const invalid = (f: Field) => (errors[f] ? { 'aria-invalid': true as const, 'aria-describedby': `err-${f}` } : {});

  return (
    <PublicLayout organization={org.data.name}>
      <h1 className="public__title">{t('public.formTitle', { name: org.data.name })}</h1>
      <p className="public__intro">{t('public.formIntro')}</p>
      <div ref={summaryRef} tabIndex={-1} className={errorList.length || serverError ? 'public-errors' : undefined} role={errorList.length || serverError ? 'alert' : undefined}>
        {errorList.length > 0 ? (
          <>
            <p className="public-errors__title">{t('public.errors.summary', { count: errorList.length })}</p>
            <ul>
              {errorList.map(([field, message]) => (
                <li key={field}>
                  <a href={`#field-${field}`}>{message}</a>
                </li>
              ))}
            </ul>
          </>
        ) : serverError ? (
          <p>{serverError}</p>
        ) : null}
      </div>
      <form
        className="public-form"
        onSubmit={onSubmit}
        noValidate
        encType="multipart/form-data"
        onChange={(event) => {
          // A corrected field loses its error at once (email and phone share one).
          const name = (event.target as unknown as HTMLInputElement).name;
          const field = (name === 'phone' ? 'email' : name) as Field;
          if (errors[field]) setErrors(({ [field]: _, ...rest }) => rest);
        }}
      >
        <p className="public__muted">{t('public.required')}</p>
        <div className="field">
          <label htmlFor="field-teamId">{t('public.team')} *</label>
          <select id="field-teamId" name="teamId" required defaultValue="" {...invalid('teamId')}>
            <option value="">{t('public.chooseTeam')}</option>
            {org.data.teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
          {errors.teamId ? <p className="form-error" id="err-teamId">{errors.teamId}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="field-name">{t('public.name')} *</label>
          <input id="field-name" name="name" autoComplete="name" required maxLength={LIMITS.nameChars} {...invalid('name')} />
          {errors.name ? <p className="form-error" id="err-name">{errors.name}</p> : null}
        </div>
        <fieldset className="public-form__group">
          <legend>{t('public.contactLegend')}</legend>
          <div className="field">
            <label htmlFor="field-email">{t('public.email')}</label>
            <input id="field-email" name="email" type="email" autoComplete="email" inputMode="email" maxLength={254} {...invalid('email')} />
          </div>
          <div className="field">
            <label htmlFor="field-phone">{t('public.phone')}</label>
            <input id="field-phone" name="phone" type="tel" autoComplete="tel" inputMode="tel" maxLength={40} />
          </div>
          {errors.email ? <p className="form-error" id="err-email">{errors.email}</p> : null}
        </fieldset>
        <div className="field">
          <label htmlFor="field-subject">{t('public.subject')} *</label>
          <input id="field-subject" name="subject" required maxLength={LIMITS.subjectChars} {...invalid('subject')} />
          {errors.subject ? <p className="form-error" id="err-subject">{errors.subject}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="field-body">{t('public.body')} *</label>
          <textarea id="field-body" name="body" rows={7} required maxLength={LIMITS.bodyChars} {...invalid('body')} />
          {errors.body ? <p className="form-error" id="err-body">{errors.body}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="field-attachments">{t('public.attachments')}</label>
          <p className="field__hint" id="hint-attachments">
            {t('public.attachmentsHint', { count: LIMITS.attachmentsPerRequest })}
          </p>
          <input id="field-attachments" name="attachments" type="file" multiple aria-describedby="hint-attachments" {...invalid('attachments')} />
          {errors.attachments ? <p className="form-error" id="err-attachments">{errors.attachments}</p> : null}
        </div>
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="field-website">Site web</label>
          <input id="field-website" name="website" tabIndex={-1} autoComplete="off" />
        </div>
        <button type="submit" className="button button--primary button--block" aria-disabled={create.isPending || undefined}>
          {create.isPending ? t('public.sending') : t('public.send')}
        </button>
      </form>
    </PublicLayout>
  );
}
