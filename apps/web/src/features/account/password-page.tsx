import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api/admin';
import { apiErrorText } from '../../lib/api-error-text';
import { navigate } from '../../lib/router';
import { Field, FormError, PublicCard } from '../setup/public-card';

/** Chooses a password from an invitation or reset link, then goes to the login page. */
export function PasswordPage({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const token = new URLSearchParams(hash.split('?')[1] ?? '').get('jeton') ?? '';
  const [mismatch, setMismatch] = useState(false);
  const save = useMutation({ mutationFn: (password: string) => accountApi.setPassword(token, password) });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const f = new FormData(event.currentTarget);
    const password = String(f.get('password') ?? '');
    if (password !== String(f.get('confirm') ?? '')) return setMismatch(true);
    setMismatch(false);
    save.mutate(password);
  }

  if (save.data) {
    return (
      <PublicCard title={t('password.doneTitle')} intro={t('password.done', { email: save.data.email })}>
        <button
          type="button"
          className="button button--primary button--block setup-continue"
          onClick={() => navigate('#/', { replace: true })}
        >
          {t('setup.toLogin')}
        </button>
      </PublicCard>
    );
  }
  const error = mismatch ? t('password.mismatch') : save.error ? apiErrorText(t, save.error) : null;
  return (
    <PublicCard title={t('password.title')} intro={t('password.intro')}>
      <form className="login-form" noValidate onSubmit={onSubmit} aria-describedby="password-error">
        <Field
          name="password"
          label={t('password.new')}
          hint={t('password.policy')}
          type="password"
          required
          autoComplete="new-password"
        />
        <Field name="confirm" label={t('password.confirm')} type="password" required autoComplete="new-password" />
        <FormError id="password-error" error={error} />
        <button type="submit" className="button button--primary button--block" aria-disabled={save.isPending || undefined}>
          {t('password.submit')}
        </button>
      </form>
    </PublicCard>
  );
}

/** Asks for a reset link by e-mail (the same answer whether the address has an account or not). */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const ask = useMutation({ mutationFn: accountApi.requestReset });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (ask.isPending) return;
    ask.mutate(String(new FormData(event.currentTarget).get('email') ?? '').trim());
  }
  return (
    <PublicCard title={t('password.forgotTitle')} intro={t('password.forgotIntro')}>
      {ask.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('password.forgotSent')}
        </p>
      ) : (
        <form className="login-form" noValidate onSubmit={onSubmit} aria-describedby="forgot-error">
          <Field name="email" label={t('login.email')} type="email" required autoComplete="username" />
          <FormError id="forgot-error" error={ask.error ? apiErrorText(t, ask.error) : null} />
          <button type="submit" className="button button--primary button--block">
            {t('password.forgotSubmit')}
          </button>
        </form>
      )}
      <p className="login-footer">
        <a href="#/">{t('password.backToLogin')}</a>
      </p>
    </PublicCard>
  );
}
