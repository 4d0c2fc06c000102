import type { OidcLoginOptionDto } from '@guichet/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import { queryKeys } from '../../api/query-keys';
import { signInApi } from '../../api/sign-in';

const FAILURES = ['etat', 'refus', 'jeton', 'email', 'inconnu', 'desactive', 'archivee', 'niveau', 'fournisseur'] as const;
type Failure = (typeof FAILURES)[number];

/** Why the last provider sign-in was refused (`/?connexion=<code>`, set by the API); read once, then cleared from the address. */
function takeFailure(): Failure | null {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('connexion');
  if (code === null) return null;
  url.searchParams.delete('connexion');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  return (FAILURES as readonly string[]).includes(code) ? (code as Failure) : 'refus';
}

/** The refusal of a provider sign-in, announced at once (the page just loaded with it). */
export function useOidcFailure(): string | null {
  const { t } = useTranslation();
  const [failure] = useState(takeFailure);
  return failure ? t(`signIn.errors.${failure}`) : null;
}

function ProviderButton({ option, showOrganization }: { option: OidcLoginOptionDto; showOrganization: boolean }) {
  const { t } = useTranslation();
  const label = showOrganization
    ? t('signIn.withOrganization', { label: option.label, organization: option.organizationName })
    : option.label;
  if (option.kind !== 'proconnect') {
    return (
      <a className="button button--secondary button--block oidc-button" href={option.startUrl}>
        {label}
      </a>
    );
  }
  // ProConnect's button as its documentation asks (the State design system's connect button):
  // the fixed text « S’identifier avec ProConnect » on the State's blue, whatever the admin's label,
  // and the link « Qu’est-ce que ProConnect ? » to proconnect.gouv.fr in a new window beneath.
  const what = t('signIn.proconnectWhat');
  return (
    <div className="proconnect">
      <a className="proconnect-button" href={option.startUrl}>
        <span className="proconnect-button__login">{t('signIn.proconnectLogin')}</span>{' '}
        <span className="proconnect-button__brand">ProConnect</span>
        {showOrganization ? <span className="proconnect-button__org"> ({option.organizationName})</span> : null}
      </a>
      <p className="proconnect-help">
        <a
          href="https://proconnect.gouv.fr/"
          target="_blank"
          rel="noopener noreferrer"
          title={`${what} - ${t('signIn.newWindow')}`}
        >
          {what}
          <span className="visually-hidden"> - {t('signIn.newWindow')}</span>
        </a>
      </p>
    </div>
  );
}

/** The login page's provider buttons (ProConnect, the town's Keycloak…), if any is enabled. */
export function OidcSignIn() {
  const { t } = useTranslation();
  const options = useQuery<OidcLoginOptionDto[], ApiError>({
    queryKey: queryKeys.loginOptions(),
    queryFn: ({ signal }) => signInApi.loginOptions(signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
  const list = options.data ?? [];
  if (list.length === 0) return null;
  const organizations = new Set(list.map((o) => o.organizationName));
  return (
    <section className="oidc-sign-in" aria-label={t('signIn.providers')}>
      <ul className="oidc-sign-in__list">
        {list.map((option) => (
          <li key={option.id}>
            <ProviderButton option={option} showOrganization={organizations.size > 1} />
          </li>
        ))}
      </ul>
      <p className="oidc-sign-in__or" aria-hidden="true">
        <span>{t('signIn.or')}</span>
      </p>
    </section>
  );
}
