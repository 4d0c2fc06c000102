import type { CreateOidcProviderInput, OidcProviderDto, OidcProviderKind, UpdateOidcProviderInput } from '@guichet/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../../lib/api-error-text';
import type { ApiError } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { signInApi } from '../../api/sign-in';
import { useAnnounce } from '../../lib/use-announcer';
import './sign-in-screens.css';

/** The kinds of libs/contracts' OIDC_PROVIDER_KINDS (a type-only import keeps zod out of this screen's chunk). */
const KINDS: OidcProviderKind[] = ['proconnect', 'oidc'];

/** ProConnect's issuers (its documentation's domain per environment and network), suggested to the admin. */
const PROCONNECT_ISSUERS = [
  'https://auth.agentconnect.gouv.fr/api/v2',
  'https://fca.integ01.dev-agentconnect.fr/api/v2',
  'https://auth.agentconnect.rie.gouv.fr/api/v2',
  'https://fca.integ02.agentconnect.rie.gouv.fr/api/v2',
];

type Editing = { mode: 'new' } | { mode: 'edit'; provider: OidcProviderDto } | null;

function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
        <button
          type="button"
          className="button button--secondary"
          aria-label={`${t('oidcAdmin.copy')} : ${label}`}
          onClick={() => void navigator.clipboard?.writeText(value).then(() => announce(t('oidcAdmin.copied')))}
        >
          {t('oidcAdmin.copy')}
        </button>
      </dd>
    </>
  );
}

/** The create / edit form; the secret is write-only (shown as stored, replaced when typed). */
function ProviderForm({ editing, onDone }: { editing: Exclude<Editing, null>; onDone(): void }) {
  const { t } = useTranslation();
  const ids = useId();
  const announce = useAnnounce();
  const queryClient = useQueryClient();
  const current = editing.mode === 'edit' ? editing.provider : null;
  const [kind, setKind] = useState<OidcProviderKind>(current?.kind ?? 'proconnect');
  const errorRef = useRef<HTMLDivElement>(null);
  const save = useMutation<OidcProviderDto, ApiError, CreateOidcProviderInput | UpdateOidcProviderInput>({
    mutationFn: (input) =>
      current
        ? signInApi.updateProvider(current.id, input as UpdateOidcProviderInput)
        : signInApi.createProvider(input as CreateOidcProviderInput),
    onSuccess: () => {
      announce(t('oidcAdmin.saved'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.oidcProviders() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.loginOptions() });
      onDone();
    },
    onError: () => errorRef.current?.focus(),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (save.isPending) return;
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const secret = String(form.get('clientSecret') ?? '');
    const input = {
      kind,
      label: text('label'),
      issuer: text('issuer'),
      clientId: text('clientId'),
      allowedDomains: text('allowedDomains')
        .split(/[\s,;]+/)
        .filter(Boolean),
      signedUserinfo: form.get('signedUserinfo') === 'on',
      enabled: form.get('enabled') === 'on',
      ...(secret || !current ? { clientSecret: secret } : {}),
    };
    save.mutate(input);
  }

  const error = save.error;
  return (
    <form className="provider-form" noValidate onSubmit={onSubmit} aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="board__heading">
        {current ? t('oidcAdmin.editTitle', { label: current.label }) : t('oidcAdmin.newTitle')}
      </h2>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-kind`}>
          {t('oidcAdmin.kind')}
        </label>
        <select
          id={`${ids}-kind`}
          className="field__input"
          value={kind}
          onChange={(e) => setKind(e.target.value as OidcProviderKind)}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`oidcAdmin.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-label`}>
          {t('oidcAdmin.label')}
        </label>
        <p className="field__hint" id={`${ids}-label-hint`}>
          {t(kind === 'proconnect' ? 'oidcAdmin.labelHintProconnect' : 'oidcAdmin.labelHint')}
        </p>
        <input
          id={`${ids}-label`}
          className="field__input"
          name="label"
          required
          aria-describedby={`${ids}-label-hint`}
          defaultValue={current?.label ?? 'ProConnect'}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-issuer`}>
          {t('oidcAdmin.issuer')}
        </label>
        <p className="field__hint" id={`${ids}-issuer-hint`}>
          {t(kind === 'proconnect' ? 'oidcAdmin.issuerHintProconnect' : 'oidcAdmin.issuerHint')}
        </p>
        <input
          id={`${ids}-issuer`}
          className="field__input"
          name="issuer"
          type="url"
          required
          spellCheck={false}
          aria-describedby={`${ids}-issuer-hint`}
          list={kind === 'proconnect' ? `${ids}-issuers` : undefined}
          defaultValue={current?.issuer ?? ''}
        />
        {kind === 'proconnect' ? (
          <datalist id={`${ids}-issuers`}>
            {PROCONNECT_ISSUERS.map((u) => (
              <option key={u} value={u} />
            ))}
          </datalist>
        ) : null}
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-client`}>
          {t('oidcAdmin.clientId')}
        </label>
        <input
          id={`${ids}-client`}
          className="field__input"
          name="clientId"
          required
          spellCheck={false}
          defaultValue={current?.clientId ?? ''}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-secret`}>
          {t('oidcAdmin.clientSecret')}
        </label>
        {current?.clientSecretSet ? (
          <p className="field__hint" id={`${ids}-secret-hint`}>
            {t('oidcAdmin.clientSecretSet')}
          </p>
        ) : null}
        <input
          id={`${ids}-secret`}
          className="field__input"
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          required={!current}
          aria-describedby={current?.clientSecretSet ? `${ids}-secret-hint` : undefined}
        />
      </div>
      <div className="field">
        <label className="field__label" htmlFor={`${ids}-domains`}>
          {t('oidcAdmin.allowedDomains')}
        </label>
        <p className="field__hint" id={`${ids}-domains-hint`}>
          {t('oidcAdmin.allowedDomainsHint')}
        </p>
        <input
          id={`${ids}-domains`}
          className="field__input"
          name="allowedDomains"
          spellCheck={false}
          aria-describedby={`${ids}-domains-hint`}
          defaultValue={current?.allowedDomains.join(' ') ?? ''}
        />
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          name="signedUserinfo"
          key={kind}
          defaultChecked={current && current.kind === kind ? current.signedUserinfo : kind === 'proconnect'}
        />
        <span>{t('oidcAdmin.signedUserinfo')}</span>
      </label>
      <label className="checkbox">
        <input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? true} />
        <span>{t('oidcAdmin.enabled')}</span>
      </label>
      <div ref={errorRef} tabIndex={-1} className={error ? 'form-error' : 'form-error form-error--empty'} aria-live="polite">
        {error ? apiErrorText(t, error) : null}
      </div>
      <div className="provider-form__actions">
        <button type="submit" className="button button--primary" aria-disabled={save.isPending || undefined}>
          {save.isPending ? t('oidcAdmin.saving') : t('oidcAdmin.save')}
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('oidcAdmin.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The organization's identity providers (`#/admin/connexion`, a section of the administration): ProConnect, Keycloak… */
export function OidcProvidersPage() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing>(null);
  const providers = useQuery<OidcProviderDto[], ApiError>({
    queryKey: queryKeys.oidcProviders(),
    queryFn: ({ signal }) => signInApi.providers(signal),
  });
  const remove = useMutation<void, ApiError, string>({
    mutationFn: (id) => signInApi.removeProvider(id),
    onSuccess: () => announce(t('oidcAdmin.removed')),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.oidcProviders() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.loginOptions() });
    },
  });
  const list = providers.data ?? [];

  return (
    <div className="admin-form sign-in-screen" data-testid="oidc-providers-page">
      <h2>{t('oidcAdmin.title')}</h2>
      <p className="sign-in-screen__intro">{t('oidcAdmin.intro')}</p>
      {providers.error ? (
        <p className="form-error" role="alert">
          {providers.error.isNetworkError ? t('errors.network') : providers.error.message}
        </p>
      ) : null}
      {providers.isSuccess && list.length === 0 ? <p>{t('oidcAdmin.none')}</p> : null}
      <ul className="session-list">
        {list.map((p) => (
          <li key={p.id} className="session-card">
            <div className="session-card__main">
              <p className="session-card__device">
                <strong>{p.label}</strong>
                <span className="session-card__badge">{p.enabled ? t('oidcAdmin.state.on') : t('oidcAdmin.state.off')}</span>
              </p>
              <p className="session-card__method">
                {t(`oidcAdmin.kinds.${p.kind}`)} · {p.issuer}
              </p>
              <dl className="provider-card__uris">
                <CopyField label={t('oidcAdmin.redirectUri')} value={p.redirectUri} />
                <CopyField label={t('oidcAdmin.postLogoutRedirectUri')} value={p.postLogoutRedirectUri} />
              </dl>
              <div className="provider-card__actions">
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => setEditing({ mode: 'edit', provider: p })}
                >
                  {t('oidcAdmin.edit')}
                  <span className="visually-hidden"> {p.label}</span>
                </button>
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => window.confirm(t('oidcAdmin.confirmRemove', { label: p.label })) && remove.mutate(p.id)}
                >
                  {t('oidcAdmin.remove')}
                  <span className="visually-hidden"> {p.label}</span>
                </button>
              </div>
            </div>
          </li>
        ))}
      </ul>
      {editing ? (
        <ProviderForm
          key={editing.mode === 'edit' ? editing.provider.id : 'new'}
          editing={editing}
          onDone={() => setEditing(null)}
        />
      ) : (
        <button type="button" className="button button--primary" onClick={() => setEditing({ mode: 'new' })}>
          {t('oidcAdmin.add')}
        </button>
      )}
    </div>
  );
}
