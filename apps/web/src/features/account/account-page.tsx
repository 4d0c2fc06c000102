import type { MeDto } from '@guichet/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { accountApi } from '../../api/admin';
import { queryKeys } from '../../api/query-keys';
import { addFrenchWords } from '../../i18n';
import { accountFr } from '../../i18n/fr-account';
import { apiErrorText } from '../../lib/api-error-text';
import { SESSIONS_HREF } from '../../lib/sign-in-routes';
import { Field, FormError } from '../setup/public-card';
import './sign-in-screens.css';

addFrenchWords(accountFr);

/** « Mon compte » (`#/compte`): the agent changes their own name and password (every agent). */
export function AccountPage({ me }: { me: MeDto }) {
  const { t } = useTranslation();
  return (
    <div className="board sign-in-screen" data-testid="account-page">
      <h1 className="board__title" tabIndex={-1}>
        {t('account.title')}
      </h1>
      <p className="sign-in-screen__intro">{t('account.intro', { email: me.email })}</p>
      <NameForm me={me} />
      <PasswordForm email={me.email} />
      <p>
        <a href={SESSIONS_HREF}>{t('account.sessions')}</a>
      </p>
    </div>
  );
}

function NameForm({ me }: { me: MeDto }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [missing, setMissing] = useState(false);
  const save = useMutation({
    mutationFn: (name: string) => accountApi.updateProfile(name),
    // The header and the lists read the name from « me »: read it again.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.me() }),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    setMissing(!name);
    if (name) save.mutate(name);
  }

  const error = missing ? t('account.nameRequired') : save.error ? apiErrorText(t, save.error) : null;
  return (
    <section className="account-section" aria-labelledby="account-name-title">
      <h2 id="account-name-title">{t('account.nameTitle')}</h2>
      <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="account-name-error">
        <Field
          prefix="account"
          name="name"
          label={t('account.name')}
          hint={t('account.nameHint')}
          required
          autoComplete="name"
          defaultValue={me.name}
        />
        <FormError id="account-name-error" error={error} />
        <p className="account-section__saved" role="status">
          {save.isSuccess && !error ? t('account.nameSaved') : ''}
        </p>
        <button type="submit" className="button button--primary" aria-disabled={save.isPending || undefined}>
          {t('account.saveName')}
        </button>
      </form>
    </section>
  );
}

function PasswordForm({ email }: { email: string }) {
  const { t } = useTranslation();
  const [mismatch, setMismatch] = useState(false);
  const save = useMutation({ mutationFn: accountApi.changePassword });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const form = event.currentTarget;
    const f = new FormData(form);
    const newPassword = String(f.get('newPassword') ?? '');
    if (newPassword !== String(f.get('confirm') ?? '')) return setMismatch(true);
    setMismatch(false);
    save.mutate({ currentPassword: String(f.get('currentPassword') ?? ''), newPassword }, { onSuccess: () => form.reset() });
  }

  const error = mismatch ? t('password.mismatch') : save.error ? apiErrorText(t, save.error) : null;
  return (
    <section className="account-section" aria-labelledby="account-password-title">
      <h2 id="account-password-title">{t('account.passwordTitle')}</h2>
      <p className="field__hint">{t('account.passwordIntro')}</p>
      <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="account-password-error">
        {/* The account's address, for the browser's password manager to file the new password under. */}
        <input type="hidden" name="username" autoComplete="username" value={email} />
        <Field
          prefix="account"
          name="currentPassword"
          label={t('account.current')}
          type="password"
          required
          autoComplete="current-password"
        />
        <Field
          prefix="account"
          name="newPassword"
          label={t('password.new')}
          hint={t('password.policy')}
          type="password"
          required
          autoComplete="new-password"
        />
        <Field
          prefix="account"
          name="confirm"
          label={t('password.confirm')}
          type="password"
          required
          autoComplete="new-password"
        />
        <FormError id="account-password-error" error={error} />
        <p className="account-section__saved" role="status">
          {save.isSuccess && !error ? t('account.passwordSaved') : ''}
        </p>
        <button type="submit" className="button button--primary" aria-disabled={save.isPending || undefined}>
          {t('account.savePassword')}
        </button>
      </form>
    </section>
  );
}
