import type { ConversationDto, UpdateConversationInput } from '@guichet/contracts';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabels } from '../../hooks/use-labels';

interface LabelFieldProps {
  conversation: ConversationDto;
  apply(input: Omit<UpdateConversationInput, 'version'>, done: string): void;
}

/**
 * A disclosure listing the organization's labels as checkboxes: each
 * change is saved at once; the file's labels show in the header's line of facts (keyboard: Tab to « Étiquettes », Entrée, Espace on a label).
 */
export function LabelField({ conversation: c, apply }: LabelFieldProps) {
  const { t } = useTranslation();
  const ids = useId();
  const labels = useLabels().data ?? [];
  const carried = new Set(c.labels.map((l) => l.id));
  return (
    <details className="label-picker" data-testid="labels">
      <summary className="button button--secondary button--small" data-testid="labels-toggle">
        {t('labels.edit')}
      </summary>
      {labels.length ? (
        <fieldset className="label-picker__list">
          <legend className="visually-hidden">{t('labels.heading')}</legend>
          {labels.map((l) => (
            <label key={l.id} className="label-picker__option" htmlFor={`${ids}-${l.id}`}>
              <input
                id={`${ids}-${l.id}`}
                type="checkbox"
                checked={carried.has(l.id)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  const next = on ? [...carried, l.id] : [...carried].filter((id) => id !== l.id);
                  apply({ labelIds: next }, t(on ? 'labels.added' : 'labels.removed', { name: l.name }));
                }}
              />
              <span className="label-chip__dot" style={{ backgroundColor: l.color }} aria-hidden="true" />
              {l.name}
            </label>
          ))}
        </fieldset>
      ) : (
        <p className="label-picker__empty">{t('labels.none')}</p>
      )}
    </details>
  );
}
