import type { MeDto } from '@guichet/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_HREF, isAccountHash, isSessionsHash, SESSIONS_HREF } from '../../lib/sign-in-routes';

/**
 * Who is signed in, and what concerns only their account (name and password, sessions, the accessibility statement,
 * sign-out), behind one button: the header keeps room for the actions of the day at 1280 px.
 * A disclosure (button + aria-expanded): Esc or a click elsewhere closes it, focus goes back.
 */
export function AccountMenu({ me, hash, onLogout }: { me: MeDto; hash: string; onLogout(): void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onClick = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div className="account-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="account-menu__button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((v) => !v)}
      >
        <span className="visually-hidden">
          {t('header.menu')}, {t('header.signedInAs')}{' '}
        </span>
        <span className="agent-card">
          <span className="agent-card__name">{me.name}</span>
          <span className="agent-card__role">
            {t(`roles.${me.role}`)}
            {me.organization ? ` · ${me.organization.name}` : ''}
          </span>
        </span>
        <span className="account-menu__caret" aria-hidden="true">
          ▾
        </span>
      </button>
      <div id={id} className="account-menu__panel" hidden={!open}>
        <ul>
          <li>
            <a href={ACCOUNT_HREF} aria-current={isAccountHash(hash) ? 'page' : undefined} onClick={() => setOpen(false)}>
              {t('header.account')}
            </a>
          </li>
          <li>
            <a href={SESSIONS_HREF} aria-current={isSessionsHash(hash) ? 'page' : undefined} onClick={() => setOpen(false)}>
              {t('sessions.link')}
            </a>
          </li>
          <li>
            <a href={`/accessibilite/${encodeURIComponent(me.organization.slug)}`}>{t('header.accessibility')}</a>
          </li>
          <li>
            <button type="button" onClick={onLogout}>
              {t('header.logout')}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
