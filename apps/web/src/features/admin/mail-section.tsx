import type { OrgMailSettingsDto } from '@guichet/contracts';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMailSettings, useOrganizationMails, useUpdateMailSettings } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError } from '../setup/public-card';

/** The organization's own outgoing mail (invitations, resets) and the mails it sent. */
export function MailSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const settings = useMailSettings();
  const mails = useOrganizationMails();
  if (readOnly) return <p>{t('admin.mail.adminsOnly')}</p>;
  return (
    <div className="admin-form">
      <h2>{t('admin.mail.title')}</h2>
      {settings.data ? <MailForm settings={settings.data} /> : <p role="status">{t('app.loading')}</p>}
      <h3>{t('admin.mail.sent')}</h3>
      {mails.data?.length ? (
        <ul className="admin-list">
          {mails.data.map((m) => (
            <li key={m.id}>
              <details>
                <summary>
                  {new Date(m.createdAt).toLocaleString()} — {m.to} — {m.subject} ({t(`admin.mail.status.${m.status}`)})
                </summary>
                {m.text ? <pre className="admin-mail-text">{m.text}</pre> : <p>{t('admin.mail.notKept')}</p>}
              </details>
            </li>
          ))}
        </ul>
      ) : (
        <p className="field__hint">{t('admin.mail.none')}</p>
      )}
    </div>
  );
}

function MailForm({ settings }: { settings: OrgMailSettingsDto }) {
  const { t } = useTranslation();
  const update = useUpdateMailSettings();
  const [mode, setMode] = useState(settings.mode);
  const smtp = settings.mode === 'smtp' ? settings : undefined;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    if (mode === 'log') return update.mutate({ mode: 'log' });
    // Saved, the password leaves the field (write-only: the form then says one is saved).
    const forgetPassword = () => {
      const password = form.elements.namedItem('password');
      if (password instanceof HTMLInputElement) password.value = '';
    };
    update.mutate(
      {
        mode: 'smtp',
        fromAddress: s('fromAddress'),
        fromName: s('fromName') || undefined,
        host: s('host'),
        port: Number(s('port')),
        secure: f.get('secure') === 'on',
        user: s('user') || undefined,
        password: s('password') || undefined,
      },
      { onSuccess: forgetPassword },
    );
  }

  return (
    <form className="admin-form admin-form--inline" noValidate onSubmit={onSubmit} aria-describedby="mail-error">
      <fieldset className="form-group">
        <legend>{t('admin.mail.mode')}</legend>
        {(['log', 'smtp'] as const).map((m) => (
          <div className="field field--checkbox" key={m}>
            <input id={`mail-mode-${m}`} type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            <label htmlFor={`mail-mode-${m}`}>{t(`admin.mail.modes.${m}`)}</label>
          </div>
        ))}
      </fieldset>
      {mode === 'smtp' ? (
        <>
          <div className="form-row">
            <Field
              prefix="mail"
              name="fromAddress"
              label={t('admin.mail.fromAddress')}
              type="email"
              required
              defaultValue={smtp?.fromAddress}
            />
            <Field prefix="mail" name="fromName" label={t('admin.mail.fromName')} defaultValue={smtp?.fromName} />
          </div>
          <div className="form-row">
            <Field prefix="mail" name="host" label={t('admin.mail.host')} required defaultValue={smtp?.host} />
            <Field
              prefix="mail"
              name="port"
              label={t('admin.mail.port')}
              type="number"
              required
              defaultValue={String(smtp?.port ?? 587)}
            />
          </div>
          <div className="field field--checkbox">
            <input id="mail-secure" type="checkbox" name="secure" defaultChecked={smtp?.secure} />
            <label htmlFor="mail-secure">{t('admin.mail.secure')}</label>
          </div>
          <div className="form-row">
            <Field prefix="mail" name="user" label={t('admin.mail.user')} autoComplete="off" defaultValue={smtp?.user} />
            <Field
              prefix="mail"
              name="password"
              label={t('admin.mail.password')}
              hint={smtp?.passwordSet ? t('admin.mail.passwordSaved') : undefined}
              type="password"
              autoComplete="new-password"
            />
          </div>
        </>
      ) : null}
      <FormError id="mail-error" error={update.error ? apiErrorText(t, update.error) : null} />
      {update.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('admin.saved')}
        </p>
      ) : null}
      <button type="submit" className="button button--primary">
        {t('admin.save')}
      </button>
    </form>
  );
}
