import { renderSignature, SIGNATURE_VARIABLES, templateProblems } from '@guichet/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LabelAndHint, VariableList } from './editor-parts';

/**
 * A reply signature's template (L111-2), the town's or a service's: its variables and, as it is
 * typed, the signature it gives an example agent, and one who signs with the service only. The
 * preview is renderSignature, what the server signs replies with.
 */
export function SignatureField({
  id,
  label,
  defaultValue,
  fallback,
  hint,
  service,
  commune,
}: {
  id: string;
  label: string;
  defaultValue: string;
  /** What an empty field signs with: a service follows the town's template; the town's empty one, the default. */
  fallback: string;
  /** The hint under the label, told whether the field is empty. */
  hint(empty: boolean): string;
  service: { name: string; address: string };
  commune: string;
}) {
  const { t } = useTranslation();
  const [template, setTemplate] = useState(defaultValue);
  const problems = templateProblems(template, SIGNATURE_VARIABLES);
  const preview = (signAsService: boolean) =>
    renderSignature(template.trim() ? template : fallback, 'full', {
      agent: { name: t('admin.signature.exampleAgent'), jobTitle: t('admin.signature.exampleRole'), signAsService },
      service,
      commune,
    });
  return (
    <div className="field">
      <LabelAndHint id={id} label={label} hint={hint(!template.trim())} />
      <textarea
        id={id}
        className="field__input"
        name="signature"
        rows={6}
        value={template}
        onChange={(e) => setTemplate(e.target.value)}
        aria-describedby={problems.length ? `${id}-hint ${id}-error` : `${id}-hint`}
      />
      {problems.length ? (
        <p className="field__error" id={`${id}-error`}>
          {problems.join(' ; ')}
        </p>
      ) : null}
      <VariableList variables={SIGNATURE_VARIABLES} />
      <div className="signature-previews">
        <figure>
          <figcaption>{t('admin.signature.preview')}</figcaption>
          <pre className="admin-mail-text" data-testid={`${id}-preview`} aria-live="polite">
            {preview(false)}
          </pre>
        </figure>
        <figure>
          <figcaption>{t('admin.signature.previewService')}</figcaption>
          <pre className="admin-mail-text">{preview(true)}</pre>
        </figure>
      </div>
    </div>
  );
}
