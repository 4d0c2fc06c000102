import type { DeadlineDigestDto, MeDto } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/**
 * « Mon compte » (`#/compte`): the agent changes their own name and password (every agent); a
 * supervisor chooses whether and when they receive the deadlines digest.
 */
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
      {me.role === 'supervisor' ? <DigestForm /> : null}
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
        <SaveFooter
          errorId="account-name-error"
          error={error}
          saved={save.isSuccess ? t('account.nameSaved') : ''}
          pending={save.isPending}
          label={t('account.saveName')}
        />
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
        <SaveFooter
          errorId="account-password-error"
          error={error}
          saved={save.isSuccess ? t('account.passwordSaved') : ''}
          pending={save.isPending}
          label={t('account.savePassword')}
        />
      </form>
    </section>
  );
}

/** The quarter hours a digest may be sent at, 06:00 to 20:00 (Paris time). */
const DIGEST_TIMES = Array.from({ length: (20 - 6) * 4 + 1 }, (_, i) => {
  const minutes = 6 * 60 + i * 15;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
});

/** A supervisor's digest of their services' files overdue or due within 48 hours: received or not, and when. */
function DigestForm() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: queryKeys.deadlineDigest(), queryFn: ({ signal }) => accountApi.deadlineDigest(signal) });
  const save = useMutation({
    mutationFn: accountApi.setDeadlineDigest,
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.deadlineDigest(), saved),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const f = new FormData(event.currentTarget);
    const input: DeadlineDigestDto = { enabled: f.get('enabled') === 'on', time: String(f.get('time') ?? '07:30') };
    save.mutate(input);
  }

  const error = current.error ?? save.error;
  return (
    <section className="account-section" aria-labelledby="account-digest-title">
      <h2 id="account-digest-title">{t('account.digestTitle')}</h2>
      <p className="field__hint" id="account-digest-intro">
        {t('account.digestIntro')}
      </p>
      {current.data ? (
        <form className="admin-form" noValidate onSubmit={onSubmit} aria-describedby="account-digest-intro account-digest-error">
          <div className="field field--checkbox">
            <input id="account-digest-enabled" type="checkbox" name="enabled" defaultChecked={current.data.enabled} />
            <label htmlFor="account-digest-enabled">{t('account.digestEnabled')}</label>
          </div>
          <div className="field">
            <label className="field__label" htmlFor="account-digest-time">
              {t('account.digestTime')}
            </label>
            <select id="account-digest-time" name="time" defaultValue={current.data.time}>
              {(DIGEST_TIMES.includes(current.data.time) ? DIGEST_TIMES : [...DIGEST_TIMES, current.data.time].sort()).map(
                (time) => (
                  <option key={time} value={time}>
                    {time.replace(':', ' h ')}
                  </option>
                ),
              )}
            </select>
          </div>
          <SaveFooter
            errorId="account-digest-error"
            error={error ? apiErrorText(t, error) : null}
            saved={save.isSuccess ? t('account.digestSaved') : ''}
            pending={save.isPending}
            label={t('account.saveDigest')}
          />
        </form>
      ) : current.isPending ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <FormError id="account-digest-error" error={error ? apiErrorText(t, error) : null} />
      )}
    </section>
  );
}

/** The end of each form of the page: its error, the « saved » status, its button. */
function SaveFooter(p: { errorId: string; error: string | null; saved: string; pending: boolean; label: string }) {
  return (
    <>
      <FormError id={p.errorId} error={p.error} />
      <p className="account-section__saved" role="status">
        {p.error ? '' : p.saved}
      </p>
      <button type="submit" className="button button--primary" aria-disabled={p.pending || undefined}>
        {p.label}
      </button>
    </>
  );
}
