import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MeDto, PlatformAdminDto } from '@guichet/contracts';
import { useGrantPlatformAdmin, usePlatformAdmins, useRevokePlatformAdmin } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError } from '../setup/public-card';
import { AdminTable } from './editor-parts';

/**
 * The platform's administrators: the list (name, address, town), one appointed by the e-mail of an
 * active agent of any town, and one removed after a confirmation in their row. The API keeps the
 * last one (409, its French reason shown here, and said beforehand when only one is left). An admin
 * who removes themselves loses this screen at once (their `me` is read again).
 */
export function PlatformAdminsSection({ me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const admins = usePlatformAdmins();
  const grant = useGrantPlatformAdmin();
  const revoke = useRevokePlatformAdmin();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land on the confirmation the « Retirer » button opened.
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const list = admins.data ?? [];

  function onRemove(admin: PlatformAdminDto) {
    grant.reset();
    revoke.mutate(admin.id, {
      onSuccess: () => {
        setRemoved(admin.name);
        // Their row is gone: the focus goes back to the screen's title, the status says what happened.
        heading.current?.focus();
      },
      onSettled: () => setConfirming(null),
    });
  }

  function onGrant(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (grant.isPending) return;
    const form = event.currentTarget;
    const email = String(new FormData(form).get('email') ?? '').trim();
    revoke.reset();
    setRemoved(null);
    grant.mutate(email, { onSuccess: () => form.reset() });
  }

  const grantedEmail = grant.variables?.trim().toLowerCase();
  const granted = grant.isSuccess ? grant.data.find((a) => a.email === grantedEmail) : undefined;

  return (
    <div className="admin-form">
      <h2 ref={heading} tabIndex={-1}>
        {t('admin.platformAdmins.title')}
      </h2>
      <p className="field__hint">{t('admin.platformAdmins.intro')}</p>
      {admins.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <FormError id="platform-admins-load-error" error={admins.error ? apiErrorText(t, admins.error) : null} />
      <AdminTable
        caption={t('admin.platformAdmins.title')}
        columns={[
          t('admin.platformAdmins.name'),
          t('admin.platformAdmins.email'),
          t('admin.platformAdmins.town'),
          t('admin.actions'),
        ]}
      >
        {list.map((a) => (
          <tr key={a.id}>
            <th scope="row">
              {a.name}
              {a.id === me.id ? <span className="admin-table__sub"> ({t('admin.platformAdmins.you')})</span> : null}
            </th>
            <td>{a.email}</td>
            <td>{a.organization.name}</td>
            <td className="admin-table__actions">
              {confirming === a.id ? (
                <div role="group" aria-labelledby={`admin-remove-warning-${a.id}`}>
                  <p className="admin-table__sub" id={`admin-remove-warning-${a.id}`}>
                    {a.id === me.id
                      ? t('admin.platformAdmins.removeSelfWarning')
                      : t('admin.platformAdmins.removeWarning', { name: a.name })}
                  </p>
                  <button
                    type="button"
                    className="button button--danger button--small"
                    ref={confirmButton}
                    aria-disabled={revoke.isPending || undefined}
                    onClick={() => !revoke.isPending && onRemove(a)}
                  >
                    {t('admin.platformAdmins.removeConfirm')}
                    <span className="visually-hidden"> {a.name}</span>
                  </button>
                  <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(null)}>
                    {t('admin.platformAdmins.cancel')}
                  </button>
                </div>
              ) : (
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => {
                    grant.reset();
                    revoke.reset();
                    setRemoved(null);
                    setConfirming(a.id);
                  }}
                >
                  {t('admin.platformAdmins.remove')}
                  <span className="visually-hidden"> {a.name}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
      {list.length === 1 ? <p className="field__hint">{t('admin.platformAdmins.lastOne', { name: list[0]!.name })}</p> : null}
      <FormError id="platform-admins-remove-error" error={revoke.error ? apiErrorText(t, revoke.error) : null} />
      <div role="status" aria-live="polite">
        {removed ? <p className="notice notice--success">{t('admin.platformAdmins.removed', { name: removed })}</p> : null}
      </div>

      <form className="admin-form admin-form--inline" noValidate onSubmit={onGrant} aria-describedby="platform-admins-add-error">
        <h3>{t('admin.platformAdmins.add')}</h3>
        <Field
          prefix="platform-admin"
          name="email"
          type="email"
          required
          autoComplete="off"
          label={t('admin.platformAdmins.addEmail')}
          hint={t('admin.platformAdmins.addHint')}
        />
        <button type="submit" className="button button--primary" aria-disabled={grant.isPending || undefined}>
          {grant.isPending ? t('admin.platformAdmins.submitting') : t('admin.platformAdmins.submit')}
        </button>
      </form>
      <FormError id="platform-admins-add-error" error={grant.error ? apiErrorText(t, grant.error) : null} />
      <div role="status" aria-live="polite">
        {granted ? (
          <p className="notice notice--success">
            {t('admin.platformAdmins.added', { name: granted.name, town: granted.organization.name })}
          </p>
        ) : null}
      </div>
    </div>
  );
}
