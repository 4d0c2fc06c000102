import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../i18n';
import type { MeDto } from '@guichet/contracts';
import { useArchiveOrganization, useCreateOrganization, usePlatformOrganizations } from '../../hooks/use-admin';
import { apiErrorText } from '../../lib/api-error-text';
import { formatDateTime } from '../../lib/format';
import { Field, FormError } from '../setup/public-card';
import { TownNameFields } from '../setup/town-name-fields';
import { AdminTable } from './editor-parts';

/**
 * The platform administrator's towns: the list (identity, staff, administrators) and a further
 * town with its first administrator invited by e-mail; a town archived (its agents signed out and
 * refused, its citizen pages closed, nothing deleted) and put back into service, after a
 * confirmation in its row. Shown to platform administrators only.
 */
export function PlatformSection({ me }: { readOnly: boolean; me: MeDto }) {
  const { t } = useTranslation();
  const organizations = usePlatformOrganizations();
  const create = useCreateOrganization();
  const archive = useArchiveOrganization();
  const [confirming, setConfirming] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  // Keyboard users land on the confirmation the « Archiver » button opened (once, when it opens).
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const [created, setCreated] = useState(0);
  const language = currentLanguage();

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending) return;
    const form = event.currentTarget;
    const f = new FormData(form);
    const v = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    create.mutate(
      {
        organization: {
          name: v('name') ?? '',
          slug: v('slug') ?? '',
          address: v('address'),
          phone: v('phone'),
          email: v('email'),
          siret: v('siret'),
        },
        admin: { name: v('adminName') ?? '', email: v('adminEmail') ?? '' },
      },
      {
        onSuccess: () => {
          form.reset();
          setCreated((n) => n + 1);
        },
      },
    );
  }

  return (
    <div className="admin-form">
      <h2>{t('admin.platform.title')}</h2>
      <p className="field__hint">{t('admin.platform.intro')}</p>
      {organizations.isPending ? <p role="status">{t('app.loading')}</p> : null}
      <AdminTable
        caption={t('admin.platform.title')}
        columns={[
          t('admin.platform.name'),
          t('admin.platform.createdAt'),
          t('admin.platform.agents'),
          t('admin.platform.admins'),
          t('admin.platform.state'),
          t('admin.actions'),
        ]}
      >
        {organizations.data?.map((o) => (
          <tr key={o.id} className={o.archivedAt ? 'admin-table__row--muted' : undefined}>
            <th scope="row">
              {o.name}
              <br />
              <span className="admin-table__sub">{o.slug}</span>
            </th>
            <td>{formatDateTime(o.createdAt, language)}</td>
            <td>{o.activeAgents}</td>
            <td>
              {o.admins.length === 0 ? (
                t('admin.platform.noAdmin')
              ) : (
                <ul className="plain-list">
                  {o.admins.map((a) => (
                    <li key={a.email}>
                      {a.name} <span className="admin-table__sub">({a.email})</span>
                      {a.invited ? <span className="admin-table__sub"> — {t('admin.platform.invited')}</span> : null}
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td>
              {o.archivedAt
                ? t('admin.platform.archivedOn', { date: formatDateTime(o.archivedAt, language) })
                : t('admin.platform.inService')}
            </td>
            <td className="admin-table__actions">
              {o.id === me.organization.id ? (
                <span className="admin-table__sub">{t('admin.platform.ownTown')}</span>
              ) : o.archivedAt ? (
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => archive.mutate({ id: o.id, archived: false })}
                >
                  {t('admin.platform.unarchive')}
                  <span className="visually-hidden"> {o.name}</span>
                </button>
              ) : confirming === o.id ? (
                <div role="group" aria-labelledby={`archive-warning-${o.id}`}>
                  <p className="admin-table__sub" id={`archive-warning-${o.id}`}>
                    {t('admin.platform.archiveWarning', { name: o.name })}
                  </p>
                  <button
                    type="button"
                    className="button button--danger button--small"
                    ref={confirmButton}
                    onClick={() => archive.mutate({ id: o.id, archived: true }, { onSettled: () => setConfirming(null) })}
                  >
                    {t('admin.platform.archiveConfirm')}
                    <span className="visually-hidden"> {o.name}</span>
                  </button>
                  <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(null)}>
                    {t('admin.platform.archiveCancel')}
                  </button>
                </div>
              ) : (
                <button type="button" className="button button--secondary button--small" onClick={() => setConfirming(o.id)}>
                  {t('admin.platform.archive')}
                  <span className="visually-hidden"> {o.name}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
      <FormError id="platform-archive-error" error={archive.error ? apiErrorText(t, archive.error) : null} />

      <form className="admin-form admin-form--inline" noValidate onSubmit={onCreate} aria-describedby="platform-create-error">
        <h3>{t('admin.platform.create')}</h3>
        <p className="field__hint">{t('admin.platform.createHint')}</p>
        <fieldset className="form-group">
          <legend>{t('admin.platform.town')}</legend>
          <div className="form-row">
            <TownNameFields prefix="org-new" resetKey={created} />
          </div>
          <Field prefix="org-new" name="address" label={t('setup.address')} autoComplete="off" />
          <div className="form-row">
            <Field prefix="org-new" name="phone" label={t('setup.phone')} type="tel" autoComplete="off" />
            <Field prefix="org-new" name="email" label={t('setup.email')} type="email" autoComplete="off" />
            <Field prefix="org-new" name="siret" label={t('setup.siret')} hint={t('setup.siretHint')} />
          </div>
        </fieldset>
        <fieldset className="form-group">
          <legend>{t('admin.platform.admin')}</legend>
          <div className="form-row">
            <Field prefix="org-new" name="adminName" label={t('admin.platform.adminName')} required autoComplete="off" />
            <Field
              prefix="org-new"
              name="adminEmail"
              label={t('admin.platform.adminEmail')}
              type="email"
              required
              autoComplete="off"
            />
          </div>
        </fieldset>
        <button type="submit" className="button button--primary" aria-disabled={create.isPending || undefined}>
          {create.isPending ? t('admin.platform.submitting') : t('admin.platform.submit')}
        </button>
      </form>
      <FormError id="platform-create-error" error={create.error ? apiErrorText(t, create.error) : null} />
      {create.isSuccess ? (
        <p className="notice notice--success" role="status">
          {t('admin.platform.created', { name: create.data.name, email: create.data.admins[0]?.email ?? '' })}
        </p>
      ) : null}
    </div>
  );
}
