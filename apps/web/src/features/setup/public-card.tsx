import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/language-switch';
import { SkipLink } from '../../components/skip-link';

/** The frame of the pages shown without a session (login, first run, choosing a password). */
export function PublicCard({
  title,
  intro,
  children,
  wide,
  footer,
}: {
  title: string;
  intro: string;
  children: ReactNode;
  wide?: boolean;
  /** Below the card (links, notes). */
  footer?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="login-page">
      <SkipLink targetId="public-main" />
      <header className="login-topbar">
        <span className="brand">
          <span className="brand__mark" aria-hidden="true">
            G
          </span>
          <span className="brand__name">{t('app.name')}</span>
        </span>
        <LanguageSwitch className="language-switch--light" />
      </header>
      <main id="public-main" className="login-main" tabIndex={-1}>
        <section className={wide ? 'login-card login-card--wide' : 'login-card'} aria-labelledby="public-title">
          <h1 id="public-title" className="login-card__title">
            {title}
          </h1>
          <p className="login-card__intro">{intro}</p>
          {children}
        </section>
        {footer}
      </main>
    </div>
  );
}

/** A labelled input of these forms; `hint` is read with it. */
export function Field({
  name,
  label,
  hint,
  type = 'text',
  required,
  autoComplete,
  defaultValue,
  onInput,
  prefix = 'f',
}: {
  name: string;
  label: string;
  hint?: string;
  type?: string;
  required?: boolean;
  autoComplete?: string;
  defaultValue?: string;
  onInput?: (value: string) => void;
  prefix?: string;
}) {
  const id = `${prefix}-${name.replace(/\W/g, '-')}`;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        className="field__input"
        name={name}
        type={type}
        required={required}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={onInput ? (e) => onInput(e.currentTarget.value) : undefined}
      />
    </div>
  );
}

export function FormError({ id, error }: { id: string; error: string | null }) {
  return (
    <div id={id} className={error ? 'form-error' : 'form-error form-error--empty'} aria-live="polite" aria-atomic="true">
      {error}
    </div>
  );
}
