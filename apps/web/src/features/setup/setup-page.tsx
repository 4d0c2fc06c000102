import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { setupApi } from '../../api/admin';
import { queryKeys } from '../../api/query-keys';
import { apiErrorText } from '../../lib/api-error-text';
import { Field, FormError, PublicCard } from './public-card';
import { TownNameFields } from './town-name-fields';

/**
 * First run on an empty database: the town and its first administrator, protected by the
 * one-time token printed in the server's log. Then the login page.
 */
export function SetupPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const setup = useMutation({ mutationFn: setupApi.create });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (setup.isPending) return;
    const f = new FormData(event.currentTarget);
    const v = (k: string) => String(f.get(k) ?? '').trim() || undefined;
    setup.mutate(
      {
        token: v('token'),
        organization: {
          name: v('name')!,
          slug: v('slug')!,
          address: v('address'),
          phone: v('phone'),
          email: v('email'),
          siret: v('siret'),
        },
        admin: { name: v('adminName')!, email: v('adminEmail')!, password: String(f.get('adminPassword') ?? '') },
      },
      { onSuccess: (r) => setDone(r.adminEmail) },
    );
  }

  if (done) {
    return (
      <PublicCard title={t('setup.doneTitle')} intro={t('setup.done', { email: done })}>
        <button
          type="button"
          className="button button--primary button--block setup-continue"
          onClick={() => void client.invalidateQueries({ queryKey: queryKeys.setup() })}
        >
          {t('setup.toLogin')}
        </button>
      </PublicCard>
    );
  }

  return (
    <PublicCard title={t('setup.title')} intro={t('setup.intro')} wide>
      <form className="login-form" noValidate onSubmit={onSubmit} aria-describedby="setup-error">
        <Field name="token" label={t('setup.token')} hint={t('setup.tokenHint')} required autoComplete="off" />
        <fieldset className="form-group">
          <legend>{t('setup.town')}</legend>
          <TownNameFields />
          <Field name="address" label={t('setup.address')} autoComplete="street-address" />
          <div className="form-row">
            <Field name="phone" label={t('setup.phone')} type="tel" autoComplete="tel" />
            <Field name="email" label={t('setup.email')} type="email" autoComplete="email" />
          </div>
          <Field name="siret" label={t('setup.siret')} hint={t('setup.siretHint')} />
        </fieldset>
        <fieldset className="form-group">
          <legend>{t('setup.admin')}</legend>
          <Field name="adminName" label={t('setup.adminName')} required autoComplete="name" />
          <Field name="adminEmail" label={t('setup.adminEmail')} type="email" required autoComplete="username" />
          <Field
            name="adminPassword"
            label={t('setup.adminPassword')}
            hint={t('password.policy')}
            type="password"
            required
            autoComplete="new-password"
          />
        </fieldset>
        <FormError id="setup-error" error={setup.error ? apiErrorText(t, setup.error) : null} />
        <button type="submit" className="button button--primary button--block" aria-disabled={setup.isPending || undefined}>
          {setup.isPending ? t('setup.submitting') : t('setup.submit')}
        </button>
      </form>
    </PublicCard>
  );
}
