import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStatus } from '../../api/client';
import { useLogin } from '../../hooks/use-login';
import { PublicCard } from '../setup/public-card';
import { OidcSignIn, useOidcFailure } from './oidc-sign-in';

type Field = 'email' | 'password';

export function LoginPage() {
  const { t } = useTranslation();
  const login = useLogin();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const [invalid, setInvalid] = useState<Field | null>(null);
  const [clientError, setClientError] = useState<string | null>(null);

  const serverError = login.error
    ? hasStatus(login.error, 401) || hasStatus(login.error, 400)
      ? t('login.errors.invalidCredentials')
      : hasStatus(login.error, 429)
        ? t('login.errors.tooManyAttempts')
        : login.error.isNetworkError
          ? t('errors.network')
          : t('login.errors.unavailable')
    : null;
  const oidcFailure = useOidcFailure();
  const error = clientError ?? serverError;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (login.isPending) return;
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    login.reset();
    if (!email) {
      setInvalid('email');
      setClientError(t('login.errors.emailRequired'));
      emailRef.current?.focus();
      return;
    }
    if (!password) {
      setInvalid('password');
      setClientError(t('login.errors.passwordRequired'));
      passwordRef.current?.focus();
      return;
    }
    setInvalid(null);
    setClientError(null);
    login.mutate(
      { email, password },
      {
        onError: () => {
          if (passwordRef.current) passwordRef.current.value = '';
        },
      },
    );
  }

  const credentialsRejected = serverError !== null && hasStatus(login.error, 401);

  return (
    <PublicCard
      title={t('login.title')}
      intro={t('login.intro')}
      footer={
        <>
          <p className="login-footer">
            <a href="#/mot-de-passe-oublie">{t('password.forgot')}</a>
          </p>
          <p className="login-footer">{t('login.footer')}</p>
        </>
      }
    >
      {oidcFailure && !error ? (
        <p className="form-error oidc-failure" role="alert">
          {oidcFailure}
        </p>
      ) : null}
      <OidcSignIn />
      <form className="login-form" noValidate onSubmit={onSubmit} aria-describedby="login-error">
        <div className="field">
          <label className="field__label" htmlFor="login-email">
            {t('login.email')}
          </label>
          <p className="field__hint" id="login-email-hint">
            {t('login.emailHint')}
          </p>
          <input
            ref={emailRef}
            id="login-email"
            className="field__input"
            name="email"
            type="email"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            aria-describedby="login-email-hint"
            aria-invalid={invalid === 'email' || credentialsRejected || undefined}
            autoFocus
          />
        </div>

        <div className="field">
          <label className="field__label" htmlFor="login-password">
            {t('login.password')}
          </label>
          <input
            ref={passwordRef}
            id="login-password"
            className="field__input"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={invalid === 'password' || credentialsRejected || undefined}
          />
        </div>

        <div
          id="login-error"
          className={error ? 'form-error' : 'form-error form-error--empty'}
          aria-live="polite"
          aria-atomic="true"
        >
          {error}
        </div>

        <button type="submit" className="button button--primary button--block" aria-disabled={login.isPending || undefined}>
          {login.isPending ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </PublicCard>
  );
}
