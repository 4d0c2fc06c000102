import type { LabelDto } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';

/** A file's labels: each a coloured dot and its name (the text keeps the page's contrast). */
export function LabelChips({ labels }: { labels: LabelDto[] }) {
  const { t } = useTranslation();
  if (!labels.length) return null;
  return (
    <span className="label-chips" data-testid="label-chips">
      <span className="visually-hidden">{t('labels.heading')} :</span>
      {labels.map((l) => (
        <span key={l.id} className="label-chip" data-testid="label-chip">
          <span className="label-chip__dot" style={{ backgroundColor: l.color }} aria-hidden="true" />
          {l.name}
        </span>
      ))}
    </span>
  );
}
