import type { MeDto } from '@guichet/contracts';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/language-switch';
import { ADMIN_HREF, isAdminHash, useHash } from '../../lib/router';
import type { RealtimeStatus } from '../../realtime/realtime-context';
import { AccountMenu } from './account-menu';

export function AppHeader({
  me,
  realtime,
  onLogout,
  onHelp,
  alerts,
}: {
  me: MeDto;
  realtime: RealtimeStatus;
  onLogout(): void;
  onHelp(): void;
  /** The agent's alert settings (sound, desktop notifications). */
  alerts?: ReactNode;
}) {
  const { t } = useTranslation();
  const hash = useHash();
  return (
    <header className="app-header">
      <a className="brand brand--link" href="#/conversations">
        <span className="brand__mark" aria-hidden="true">
          G
        </span>
        <span className="brand__name">{t('app.name')}</span>
      </a>
      {me.organization.logo ? (
        <img
          className="app-header__logo"
          src={me.organization.logo}
          alt={t('app.organizationLogo', { name: me.organization.name })}
        />
      ) : null}

      <div className="app-header__right">
        <span className={`realtime-status realtime-status--${realtime}`} role="status">
          <span className="realtime-status__dot" aria-hidden="true" />
          <span className="realtime-status__label">{t(`realtime.${realtime}`)}</span>
        </span>
        {me.role === 'admin' || me.role === 'supervisor' ? (
          <a className="button button--on-dark" href={ADMIN_HREF} aria-current={isAdminHash(hash) ? 'page' : undefined}>
            {t('admin.link')}
          </a>
        ) : null}
        {alerts}
        <button type="button" className="button button--on-dark" onClick={onHelp} aria-keyshortcuts="?">
          {t('shortcuts.button')}
        </button>
        <LanguageSwitch className="language-switch--light" />
        <AccountMenu me={me} hash={hash} onLogout={onLogout} />
      </div>
    </header>
  );
}
