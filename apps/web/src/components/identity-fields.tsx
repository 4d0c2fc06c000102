import { IDENTITY_KINDS, type IdentityKind } from '@guichet/contracts';
import { useTranslation } from 'react-i18next';

/** A citizen's identity as an agent types it: its kind (e-mail, phone…) and value, each labelled. */
export function IdentityFields({
  id,
  kind,
  value,
  onKind,
  onValue,
  kindLabel,
  valueLabel,
  required,
}: {
  id: string;
  kind: IdentityKind;
  value: string;
  onKind: (kind: IdentityKind) => void;
  onValue: (value: string) => void;
  kindLabel: string;
  valueLabel: string;
  required?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={`${id}-kind`}>{kindLabel}</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => onKind(e.target.value as IdentityKind)}>
        {IDENTITY_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`identity.${k}`)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-value`}>{valueLabel}</label>
      <input id={`${id}-value`} value={value} onChange={(e) => onValue(e.target.value)} autoComplete="off" required={required} />
    </>
  );
}
