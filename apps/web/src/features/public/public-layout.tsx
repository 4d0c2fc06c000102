import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../components/language-switch';
import { SkipLink } from '../../components/skip-link';

export function PublicLayout({ organization, children }: { organization: string | null; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="public">
      <SkipLink targetId="public-main" />
      <header className="public__header">
        <span className="brand">
          <span className="brand__mark" aria-hidden="true">
            G
          </span>
          <span className="brand__name">{organization ?? t('app.name')}</span>
        </span>
        <LanguageSwitch />
      </header>
      <main id="public-main" className="public__main" tabIndex={-1}>
        {children}
      </main>
      <footer className="public__footer">{t('public.footer')}</footer>
    </div>
  );
}
