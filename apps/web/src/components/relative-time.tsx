import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../i18n';
import { formatDateTime, formatRelative } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "il y a 5 min", with the full Paris date on hover and for assistive tech. */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  useTranslation(); // re-render on language change
  const now = useNow();
  const language = currentLanguage();
  const full = formatDateTime(iso, language);
  return (
    <time className={className} dateTime={iso} title={full}>
      {formatRelative(iso, language, now)}
    </time>
  );
}
