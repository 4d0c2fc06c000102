import type { ExternalAdministrationDto } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';

/** E-mail, postal address, phone and site, one a line (what the citizen is given too). */
export function AdministrationContact({ entry }: { entry: ExternalAdministrationDto }) {
  const { t } = useTranslation();
  return (
    <ul>
      <li>{entry.email}</li>
      {entry.address ? (
        <li>
          <span className="visually-hidden">{t('admin.administrations.address')} : </span>
          {entry.address}
        </li>
      ) : null}
      {entry.phone ? (
        <li>
          <span className="visually-hidden">{t('admin.administrations.phone')} : </span>
          {entry.phone}
        </li>
      ) : null}
      {entry.website ? <li>{entry.website}</li> : null}
    </ul>
  );
}
