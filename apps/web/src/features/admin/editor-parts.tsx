import { useEffect, useRef, useState, type ButtonHTMLAttributes, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../setup/public-card';

/** A small button of a row of a list or table: « Modifier » heard as « Modifier <name> ». */
export function RowButton({ label, name, ...props }: { label: string; name: string } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className="button button--secondary button--small" {...props}>
      {label}
      <span className="visually-hidden"> {name}</span>
    </button>
  );
}

/** An editor opened in place (a démarche, a rule, a canned reply): titled by its heading, its error read with it. */
export function InlineEditor({
  idPrefix,
  heading,
  level = 3,
  onSubmit,
  children,
}: {
  idPrefix: string;
  heading: string;
  level?: 3 | 4;
  onSubmit(event: FormEvent<HTMLFormElement>): void;
  children: ReactNode;
}) {
  const Heading = level === 3 ? 'h3' : 'h4';
  return (
    <form
      className="admin-form admin-form--inline"
      noValidate
      onSubmit={onSubmit}
      aria-labelledby={`${idPrefix}-title`}
      aria-describedby={`${idPrefix}-error`}
    >
      <Heading id={`${idPrefix}-title`}>{heading}</Heading>
      {children}
    </form>
  );
}

/**
 * A table in a region that scrolls on its own when the window is too narrow for it, not the page. While it
 * scrolls, the keyboard reaches it (arrows then move it) and it is named after its table (RGAA).
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  const region = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const box = region.current;
    if (!box) return;
    const measure = () => setScrolls(box.scrollWidth > box.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={region} className="admin-table-scroll" role="region" aria-label={label} tabIndex={scrolls ? 0 : undefined}>
      {children}
    </div>
  );
}

/** A list screen's table: its caption for screen readers, one header per column, the rows. */
export function AdminTable({ caption, columns, children }: { caption: string; columns: string[]; children: ReactNode }) {
  return (
    <TableRegion label={caption}>
      <table className="admin-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableRegion>
  );
}

/** « Enregistrer » and « Annuler » at the foot of an inline editor (other words and a danger button where the form says so). */
export function EditorActions({
  pending,
  onCancel,
  submitLabel,
  cancelLabel,
  danger = false,
}: {
  pending: boolean;
  onCancel(): void;
  submitLabel?: string;
  cancelLabel?: string;
  danger?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="form-row">
      <button
        type="submit"
        className={danger ? 'button button--danger' : 'button button--primary'}
        aria-disabled={pending || undefined}
      >
        {submitLabel ?? t('admin.save')}
      </button>
      <button type="button" className="button button--secondary" onClick={onCancel}>
        {cancelLabel ?? t('admin.cancel')}
      </button>
    </div>
  );
}

/** The foot of a settings form: its error (read when it changes), « Modifications enregistrées. », and « Enregistrer » unless read-only. */
export function SaveFooter({
  errorId,
  error,
  saved,
  pending,
  readOnly,
}: {
  errorId: string;
  error: string | null;
  saved: boolean;
  pending: boolean;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <FormError id={errorId} error={error} />
      {saved ? (
        <p className="notice notice--success" role="status">
          {t('admin.saved')}
        </p>
      ) : null}
      {readOnly ? null : (
        <button type="submit" className="button button--primary" aria-disabled={pending || undefined}>
          {t('admin.save')}
        </button>
      )}
    </>
  );
}

/** A field's label, and its hint (`<id>-hint`, for the field's aria-describedby). */
export function LabelAndHint({ id, label, hint }: { id: string; label: string; hint: string }) {
  return (
    <>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <p className="field__hint" id={`${id}-hint`}>
        {hint}
      </p>
    </>
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
      <LabelAndHint id={id} label={label} hint={hint} />
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

/** The variables a template may hold (`{{name}}`), folded under « Variables disponibles ». */
export function VariableList({ variables }: { variables: Record<string, string> }) {
  const { t } = useTranslation();
  return (
    <details>
      <summary>{t('admin.variables')}</summary>
      <dl className="admin-variables">
        {Object.entries(variables).map(([name, meaning]) => (
          <div key={name}>
            <dt>
              <code>{`{{${name}}}`}</code>
            </dt>
            <dd>{meaning}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
