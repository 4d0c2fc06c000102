import { useEffect, useRef, type ButtonHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

/** A small button of a row of a list or table: « Modifier » heard as « Modifier <name> ». */
export function RowButton({ label, name, ...props }: { label: string; name: string } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className="button button--secondary button--small" {...props}>
      {label}
      <span className="visually-hidden"> {name}</span>
    </button>
  );
}

/** « Enregistrer » and « Annuler » at the foot of an inline editor. */
export function EditorActions({ pending, onCancel }: { pending: boolean; onCancel(): void }) {
  const { t } = useTranslation();
  return (
    <div className="form-row">
      <button type="submit" className="button button--primary" aria-disabled={pending || undefined}>
        {t('admin.save')}
      </button>
      <button type="button" className="button button--secondary" onClick={onCancel}>
        {t('admin.cancel')}
      </button>
    </div>
  );
}

/** A list typed one item a line (documents, words), its hint read with it. */
export function LinesField({
  id,
  name,
  label,
  hint,
  rows,
  lines,
}: {
  id: string;
  name: string;
  label: string;
  hint: string;
  rows: number;
  lines: string[] | undefined;
}) {
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <p className="field__hint" id={`${id}-hint`}>
        {hint}
      </p>
      <textarea
        id={id}
        className="field__input"
        name={name}
        rows={rows}
        aria-describedby={`${id}-hint`}
        defaultValue={lines?.join('\n')}
      />
    </div>
  );
}

/** The editor's required name field; it takes the focus when the editor opens. */
export function NameField({ id, label, value }: { id: string; label: string; value: string | undefined }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        <span aria-hidden="true"> *</span>
      </label>
      <input ref={ref} id={id} className="field__input" name="name" required defaultValue={value} />
    </div>
  );
}
